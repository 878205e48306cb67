#!/usr/bin/env python3
"""Regenerates the tiny fixture (fixtures/tiny-ovis2) and its PyTorch reference outputs.

  /usr/bin/python3 tools/exporter/make_fixture.py [--out fixtures/tiny-ovis2]

Everything derives from the seed: weights, tokenizer, the drawn test images, the references.
Running it twice on one machine gives identical bytes. On another CPU with the same Debian packages the
weights, graphs and every id and token come out identical; computed floats (embeddings, logits) may move
in their last bits, since PyTorch picks kernels by instruction set (FixtureComparison's tolerance).
"""
import argparse
import hashlib
import json
import os
import sys

# Pin the reference BLAS (Debian's libblas3) before torch loads: it computes the same bits on every
# x86-64 machine, while OpenBLAS (faster, used for big exports) picks CPU-specific kernels.
_REFERENCE_BLAS = [d for d in ("/usr/lib/x86_64-linux-gnu/blas", "/usr/lib/x86_64-linux-gnu/lapack") if os.path.isdir(d)]
if _REFERENCE_BLAS and os.environ.get("OVIS_FIXTURE_BLAS") != "reference":
    _env = dict(os.environ, OVIS_FIXTURE_BLAS="reference",
                LD_LIBRARY_PATH=":".join(_REFERENCE_BLAS + [p for p in [os.environ.get("LD_LIBRARY_PATH")] if p]))
    os.execve(sys.executable, [sys.executable] + sys.argv, _env)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ovis2_export  # noqa: E402
import preprocess  # noqa: E402
import tiny_tokenizer  # noqa: E402

SEED = 0
NEW_TOKENS = 24
SAMPLE_POINTS = 16


def draw_images(rng):
    """Three photo-like scenes of odd aspect ratios, drawn (no downloads)."""
    def sky(w, h, top, bottom):
        t = np.linspace(0.0, 1.0, h, dtype=np.float64)[:, None, None]
        arr = (np.array(top)[None, None, :] * (1 - t) + np.array(bottom)[None, None, :] * t)
        return Image.fromarray(np.repeat(arr, w, axis=1).round().astype(np.uint8), "RGB")

    street = sky(720, 280, (70, 120, 200), (200, 220, 240))
    d = ImageDraw.Draw(street)
    d.ellipse((600, 30, 660, 90), fill=(255, 220, 120))
    x = 10
    while x < 700:
        bw, bh = int(rng.integers(50, 110)), int(rng.integers(80, 200))
        col = tuple(int(v) for v in rng.integers(60, 200, 3))
        d.rectangle((x, 240 - bh, x + bw, 240), fill=col)
        for wy in range(240 - bh + 10, 230, 22):
            for wx in range(x + 8, x + bw - 10, 18):
                d.rectangle((wx, wy, wx + 8, wy + 12), fill=(250, 240, 170) if rng.random() < 0.5 else (40, 50, 70))
        x += bw + int(rng.integers(4, 20))
    d.rectangle((0, 240, 720, 280), fill=(60, 60, 64))
    for lx in range(0, 720, 60):
        d.rectangle((lx, 258, lx + 30, 262), fill=(240, 240, 240))

    tower = sky(240, 640, (30, 40, 90), (240, 150, 90))
    d = ImageDraw.Draw(tower)
    d.polygon([(90, 620), (150, 620), (130, 120), (110, 120)], fill=(90, 80, 75))
    d.rectangle((100, 100, 140, 125), fill=(120, 100, 90))
    d.polygon([(100, 100), (140, 100), (120, 40)], fill=(150, 40, 40))
    d.rectangle((0, 600, 240, 640), fill=(40, 90, 40))
    for _ in range(30):
        sx, sy = int(rng.integers(0, 240)), int(rng.integers(0, 200))
        d.point((sx, sy), fill=(255, 255, 255))

    cat = sky(200, 150, (200, 180, 150), (150, 120, 90))
    d = ImageDraw.Draw(cat)
    d.ellipse((50, 60, 150, 140), fill=(230, 140, 50))
    d.ellipse((70, 25, 130, 80), fill=(230, 140, 50))
    d.polygon([(72, 40), (85, 10), (95, 35)], fill=(230, 140, 50))
    d.polygon([(105, 35), (115, 10), (128, 40)], fill=(230, 140, 50))
    d.ellipse((85, 45, 95, 55), fill=(20, 120, 40))
    d.ellipse((105, 45, 115, 55), fill=(20, 120, 40))
    images = {"street_wide.png": street, "tower_tall.png": tower, "cat_small.png": cat}
    return {k: v.filter(ImageFilter.GaussianBlur(0.8)) for k, v in images.items()}


def sha256_f32(a):
    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f4").tobytes()).hexdigest()


def sample_points(shape, rng):
    return [[int(rng.integers(0, s)) for s in shape] for _ in range(SAMPLE_POINTS)]


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).ravel()]


def build_prompt(tok, user_text):
    """Ovis2 prompt (ovis2.md §5.1): each piece between <image> markers is tokenised on its own."""
    p = ovis2_export.PROMPT
    text = (p["system_prefix"] + p["default_system_prompt"] + p["turn_end"] + p["user_prefix"] + user_text
            + p["turn_end"] + p["assistant_prefix"])
    ids = []
    for i, chunk in enumerate(text.split(p["image_token"])):
        if i > 0:
            ids.append(p["image_token_id"])
        ids.extend(tok.encode(chunk))
    return text, ids


def layout(expanded, crops_per_image):
    """Run-length description of which rows feed each position of the merged sequence."""
    segs, pos, crop = [], 0, 0
    i = 0
    while i < len(expanded):
        t = expanded[i]
        if t >= 0:
            j = i
            while j < len(expanded) and expanded[j] >= 0:
                j += 1
            segs.append({"kind": "text", "start": pos, "length": j - i, "ids": expanded[i:j]})
            pos += j - i
            i = j
            continue
        if t == preprocess.ATOM:
            segs.append({"kind": "visual", "start": pos, "length": 256, "crop": crop})
            crop += 1
            pos += 256
        else:
            segs.append({"kind": "indicator", "start": pos, "length": 1, "id": t,
                         "row": -301 - t})
            pos += 1
        i += 1
    return segs, pos


def run_prompt(model, tok, images, spec, ref_dir, rng):
    text, ids = build_prompt(tok, spec["user_text"])
    imgs_meta, pixels, ph_per_image = [], [], []
    for name in spec["images"]:
        img = images[name]
        pv, grid, boxes, ph = preprocess.preprocess(img, spec["max_partition"])
        pts = sample_points(pv.shape, rng)
        imgs_meta.append({"file": "images/" + name, "width": img.size[0], "height": img.size[1],
                          "max_partition": spec["max_partition"], "grid": list(grid), "boxes": [list(b) for b in boxes],
                          "num_crops": int(pv.shape[0]), "placeholders": ph,
                          "pixel_values": {"shape": list(pv.shape), "dtype": "float32",
                                           "sha256": sha256_f32(pv),
                                           "crop_sha256": [sha256_f32(c) for c in pv],
                                           "samples": [{"index": p, "value": float(pv[tuple(p)])} for p in pts]}})
        pixels.append(pv)
        ph_per_image.append(ph)
    expanded, k = [], 0
    for t in ids:
        if t == ovis2_export.PROMPT["image_token_id"]:
            expanded.extend(ph_per_image[k])
            k += 1
        else:
            expanded.append(t)
    with torch.no_grad():
        if pixels:
            vis = model.vision_encoder()(torch.from_numpy(np.concatenate(pixels)))
        else:
            vis = torch.zeros(0, 256, model.config.llm.hidden_size)
        segs, length = layout(expanded, None)
        emb = embed(model, expanded, vis)
        logits, steps = greedy(model, emb, tok)
    out = {"name": spec["name"], "prompt_text": text, "user_text": spec["user_text"], "prompt_ids": ids,
           "expanded_ids": expanded, "sequence_length": length, "position_ids": "0..sequence_length-1",
           "layout": segs, "images": imgs_meta}
    if pixels:
        vfile = spec["name"] + ".visual_embeds.f32.bin"
        vis.numpy().astype("<f4").tofile(os.path.join(ref_dir, vfile))
        out["visual_embeds"] = {"file": vfile, "shape": list(vis.shape), "dtype": "float32",
                                "sha256": sha256_f32(vis.numpy())}
    out["first_step_logits"] = floats(logits)
    out["greedy"] = steps
    return out


def embed(model, expanded, vis):
    v = model.config.vision.visual_vocab_size
    rows, crop = [], 0
    table = model.llm.model.embed_tokens.weight
    for t in expanded:
        if t >= 0:
            rows.append(table[t:t + 1])
        elif t == preprocess.ATOM:
            rows.append(vis[crop])
            crop += 1
        else:
            rows.append(model.vte.weight[v - 5 + (-301 - t)].unsqueeze(0))
    return torch.cat(rows).unsqueeze(0)


def greedy(model, emb, tok):
    """Greedy decoding with the KV cache, exactly as the exported decoder graph runs it."""
    c = model.config.llm
    dec = model.decoder().eval()
    past = [torch.zeros(1, c.num_kv_heads, 0, c.head_dim) for _ in range(2 * c.num_layers)]
    n = emb.shape[1]
    out = dec(emb, torch.ones(1, n, dtype=torch.int64), torch.arange(n).unsqueeze(0), *past)
    first = out[0][0].clone()
    tokens, gaps, stop = [], [], None
    stop_ids = {tok.special_ids["<|im_end|>"], tok.special_ids["<|endoftext|>"]}
    for step in range(NEW_TOKENS):
        logits = out[0][0]
        top2 = torch.topk(logits, 2)
        nxt = int(top2.indices[0])
        tokens.append(nxt)
        gaps.append(float(top2.values[0] - top2.values[1]))
        if nxt in stop_ids:
            stop = "stop_id"
            break
        total = n + step + 1
        x = model.llm.model.embed_tokens.weight[nxt].reshape(1, 1, -1)
        out = dec(x, torch.ones(1, total, dtype=torch.int64), torch.tensor([[total - 1]]), *out[1:])
    return first, {"max_new_tokens": NEW_TOKENS, "tokens": tokens, "finish": stop or "length",
                   "min_top1_top2_gap": min(gaps), "text": tok.decode(tokens)}


def vision_check(model, rng):
    """A formula-defined pixel input Java can rebuild, with the full visual embeddings it gives."""
    n, side = 2, model.config.vision.image_size
    idx = np.indices((n, 3, side, side)).astype(np.float64)
    px = (2.0 * np.sin(0.013 * (idx[3] + 1) * (idx[1] + 1) + 0.021 * idx[2] + 0.7 * idx[0])).astype(np.float32)
    with torch.no_grad():
        vis = model.vision_encoder()(torch.from_numpy(px)).numpy()
    return px, vis


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--out", default=os.path.join(root, "fixtures", "tiny-ovis2"))
    a = ap.parse_args()
    torch.set_num_threads(1)  # same reduction order on every machine
    model = ovis2_export.build_random("tiny", SEED)
    ovis2_export.export(model, a.out, "fp32", "tiny", {"kind": "random-init", "size": "tiny", "seed": SEED},
                        name="ovis2-random-tiny-seed0-fp32")
    ref_dir = os.path.join(a.out, "reference")
    os.makedirs(os.path.join(ref_dir, "images"), exist_ok=True)
    rng = np.random.default_rng(SEED + 1)
    images = draw_images(rng)
    for name, img in images.items():
        img.save(os.path.join(ref_dir, "images", name), format="PNG", optimize=False, compress_level=9)
    # Read back what was written so the references start from the committed bytes.
    images = {name: Image.open(os.path.join(ref_dir, "images", name)).convert("RGB") for name in images}
    tok = tiny_tokenizer.TinyTokenizer()
    specs = [
        {"name": "text_only", "user_text": "What is in this picture? Describe the sun.", "images": [],
         "max_partition": None},
        {"name": "one_image", "user_text": "<image>\nDescribe the image.", "images": ["street_wide.png"],
         "max_partition": 9},
        {"name": "three_images", "user_text": "Image 1: <image>\nImage 2: <image>\nImage 3: <image>\n"
                                              "Compare these three images.",
         "images": ["tower_tall.png", "cat_small.png", "street_wide.png"], "max_partition": 4},
    ]
    prompts = [run_prompt(model, tok, images, s, ref_dir, rng) for s in specs]
    px, vis = vision_check(model, rng)
    vis.astype("<f4").tofile(os.path.join(ref_dir, "vision_check.visual_embeds.f32.bin"))
    doc = {
        "model": "../model.json",
        "notes": ["Computed by tools/exporter/make_fixture.py with the PyTorch modules in float32.",
                  "Pixel tensors: float32 [N,3,448,448], sha256 over little-endian bytes; samples index (crop,c,y,x).",
                  "Normalisation: x = float32(float64(u8) * rescale_factor); x = (x - float32(mean)) / float32(std).",
                  "layout: 'text' rows from text_embeds.bin; 'indicator' rows from indicator_embeds.bin (row = -301 - id);"
                  " 'visual' = 256 rows of visual_embeds[crop] (crop counts across all images in prompt order).",
                  "Decoding: prefill with attention_mask all ones and position_ids 0..L-1, then one token per step "
                  "at position L+t; greedy, stop on model.json stop_ids."],
        "vision_check": {"formula": "pixel[n][c][y][x] = (float)(2*sin(0.013*(x+1)*(c+1) + 0.021*y + 0.7*n))"
                                    " computed in double", "shape": list(px.shape),
                         "visual_embeds": {"file": "vision_check.visual_embeds.f32.bin", "shape": list(vis.shape),
                                           "sha256": sha256_f32(vis)}},
        "prompts": prompts,
    }
    with open(os.path.join(ref_dir, "reference.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    for p in prompts:
        print(p["name"], "len", p["sequence_length"], "tokens", p["greedy"]["tokens"], p["greedy"]["finish"],
              "min gap %.4f" % p["greedy"]["min_top1_top2_gap"])


if __name__ == "__main__":
    main()
