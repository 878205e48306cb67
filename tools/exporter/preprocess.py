"""Ovis2 image preprocessing (ovis2.md §2): grid choice, crops, per-crop resize and normalisation.

Reproduces the reference's slow PIL path (CLIPImageProcessor with BICUBIC); the reference outputs
of the tiny fixture are computed with it so that the Java port can be checked against them.
"""
import numpy as np
from PIL import Image

SIDE = 448
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
RESCALE = 0.00392156862745098
COVERING_THRESHOLD = 0.9
ATOM, START, GRID, COL, ROW, END = -300, -301, -302, -303, -304, -305


def partition(width, height, grid):
    rows, cols = grid
    rh, cw = height // rows, width // cols
    boxes = []
    for r in range(rows):
        for c in range(cols):
            boxes.append((c * cw, r * rh, width if c == cols - 1 else (c + 1) * cw,
                          height if r == rows - 1 else (r + 1) * rh))
    return boxes


def _covering_area(box):
    w, h = box[2] - box[0], box[3] - box[1]
    w, h = max(w, h), min(w, h)
    if w > SIDE:
        h = h / w * SIDE
        w = SIDE
    return w * h


def best_grid(width, height, max_partition):
    candidates = [(r, c) for r in range(1, max_partition + 1) for c in range(1, max_partition + 1)
                  if r * c <= max_partition]
    scored = []
    for g in candidates:
        ratio = sum(_covering_area(b) for b in partition(width, height, g)) / (width * height)
        scored.append((g, ratio))
    good = [s for s in scored if s[1] > COVERING_THRESHOLD]
    if good:
        return sorted(good, key=lambda s: (s[0][0] * s[0][1], -s[1]))[0][0]
    return sorted(scored, key=lambda s: (-s[1], s[0][0] * s[0][1]))[0][0]


def crop_tensor(crop):
    """One crop -> float32 [3,448,448]: aspect-preserving BICUBIC resize, rescale, normalise, centre."""
    w, h = crop.size
    if w == h:
        nw = nh = SIDE
    elif w > h:
        nw, nh = SIDE, int(h / w * SIDE)
    else:
        nw, nh = int(w / h * SIDE), SIDE
    nw, nh = max(nw, 1), max(nh, 1)
    resized = crop.resize((nw, nh), resample=Image.BICUBIC)
    x = (np.asarray(resized, dtype=np.uint8).astype(np.float64) * RESCALE).astype(np.float32)
    x = (x - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    x = x.transpose(2, 0, 1)
    canvas = np.zeros((3, SIDE, SIDE), dtype=np.float32)
    if nh > nw:
        off = (SIDE - nw) // 2
        canvas[:, :, off:off + nw] = x
    elif nw > nh:
        off = (SIDE - nh) // 2
        canvas[:, off:off + nh, :] = x
    else:
        canvas = x
    return canvas


def placeholders(grid):
    rows, cols = grid
    ph = [START, ATOM, GRID]
    if rows * cols > 1:
        for r in range(rows):
            for c in range(cols):
                ph.append(ATOM)
                if c < cols - 1:
                    ph.append(COL)
            if r < rows - 1:
                ph.append(ROW)
    ph.append(END)
    return ph


def preprocess(image, max_partition):
    """-> (pixel_values [N,3,448,448] float32, grid, boxes, placeholder ids)."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    w, h = image.size
    grid = best_grid(w, h, max_partition)
    boxes = partition(w, h, grid)
    crops = [image.crop(b) for b in boxes]
    if len(crops) > 1:
        crops.insert(0, image)
    return np.stack([crop_tensor(c) for c in crops]), grid, boxes, placeholders(grid)
