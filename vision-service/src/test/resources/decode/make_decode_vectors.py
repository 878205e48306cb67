#!/usr/bin/python3
"""Writes the decoder test vectors: small images in many containers and colour models, made with
Pillow 9.4 (Debian 12's python3-pil), and NAME.rgb + expected.json (sha256) with what Pillow's
Image.open(f).convert('RGB') gives (after ImageOps.exif_transpose for files with an orientation).
Run from this directory: /usr/bin/python3 make_decode_vectors.py"""
import hashlib, io, json, random
from PIL import Image, ImageOps

random.seed(7)
W, H = 61, 47

def field(mode_bands=3):
    px = bytearray()
    for y in range(H):
        for x in range(W):
            for c in range(mode_bands):
                px.append((x * 4 + y * 3 * (c + 1) + random.randint(0, 40)) % 256)
    return bytes(px)

rgb = Image.frombytes("RGB", (W, H), field(3))
rgba = Image.frombytes("RGBA", (W, H), field(4))
grey = rgb.convert("L")
expected = {}

def save(name, im, **kw):
    im.save(name, **kw)
    with Image.open(name) as f:
        mode = f.mode
        out = ImageOps.exif_transpose(f) if f.getexif().get(0x0112, 1) != 1 else f
        rgbout = out.convert("RGB")
        open(name + ".rgb", "wb").write(rgbout.tobytes())
        expected[name] = {"mode": mode, "width": rgbout.width, "height": rgbout.height,
                          "sha256": hashlib.sha256(rgbout.tobytes()).hexdigest()}

save("rgb.webp", rgb, lossless=True)
save("rgba.webp", rgba, lossless=True)
smooth = Image.frombytes("RGB", (W, H), bytes(min(255, 20 + x * 2 + y * (c + 1)) for y in range(H) for x in range(W) for c in range(3)))
save("lossy.webp", smooth, quality=90)
save("grey16.png", Image.frombytes("I;16", (W, H), bytes(b for i in range(W * H) for b in ((i * 37) % 1200).to_bytes(2, "little"))))
save("la.png", rgba.convert("LA"))
save("bilevel.png", grey.convert("1"))
save("palette4.png", rgb.quantize(colors=16), bits=4)
save("static.gif", rgb.quantize(colors=200))
save("rgb24.bmp", rgb)
save("palette8.bmp", rgb.quantize(colors=100))
save("rgb.tif", rgb)
save("lzw.tif", rgb, compression="tiff_lzw")
save("cmyk.tif", rgb.convert("CMYK"))
save("grey.tif", grey)
save("grey.jpg", grey, quality=92)
for orientation in (3, 6, 8):
    exif = Image.Exif()
    exif[0x0112] = orientation
    save(f"orient{orientation}.jpg", rgb, quality=95, exif=exif.tobytes())
# Animated files: the decoder refuses them (expected carries no hash).
frames = [rgb.quantize(colors=64), rgb.transpose(Image.FLIP_LEFT_RIGHT).quantize(colors=64)]
frames[0].save("animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
rgb.save("animated.webp", save_all=True, append_images=[rgb.transpose(Image.FLIP_TOP_BOTTOM)], duration=100, lossless=True)
rgb.save("animated.png", save_all=True, append_images=[rgb.transpose(Image.FLIP_TOP_BOTTOM)], duration=100)
for name in ("animated.gif", "animated.webp", "animated.png"):
    expected[name] = {"animated": True}
json.dump(expected, open("expected.json", "w"), indent=1, sort_keys=True)
