#!/usr/bin/env python3
"""Writes a synthetic Ovis2 checkpoint: exactly the published names, shapes and dtypes, random values.

  /usr/bin/python3 tools/exporter/synthetic_checkpoint.py --size 1b --layout original --dtype BF16 --shards 2 --out /tmp/ovis2-1b
  /usr/bin/python3 tools/exporter/synthetic_checkpoint.py --size tiny --layout hf --reference /tmp/ref --out /tmp/ckpt

What no model hub gives us: a checkpoint directory in either layout (layouts.py) to run the real
`--checkpoint` export path on, in CI at tiny size and at real sizes for time and memory figures.
With `--size tiny` it also writes the text-side files (tokenizer.json, tokenizer_config.json,
generation_config.json). `--reference DIR` loads the written checkpoint back through the exporter's
loader and modules and writes what the exported graphs must reproduce (reference.json + float32 files).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpoint  # noqa: E402
import layouts  # noqa: E402
import modeling  # noqa: E402

PROMPT = "Describe the image."
STEPS = 6


def write_text_files(path, layout):
    """Tiny tokenizer plus the tokenizer/generation configs a published repository carries next to it."""
    import tiny_tokenizer
    tok = tiny_tokenizer.TinyTokenizer()
    with open(os.path.join(path, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(tok.to_json())
    im_end, eot = tok.special_ids["<|im_end|>"], tok.special_ids["<|endoftext|>"]
    # A template of our own in the shape of each layout's: the original repositories ship Qwen2.5's,
    # the transformers conversion an explicit Ovis one with a fixed system turn and <image> items.
    template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    if layout == layouts.HF:
        template = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" + template
    with open(os.path.join(path, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "chat_template": template}, f, indent=2)
    # the values of the published Ovis2 generation_config.json files, with the tiny tokenizer's ids
    with open(os.path.join(path, "generation_config.json"), "w", encoding="utf-8") as f:
        json.dump({"eos_token_id": [im_end, eot], "pad_token_id": eot, "do_sample": True, "temperature": 0.7,
                   "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05}, f, indent=2)


def write_reference(ckpt, out):
    """Outputs of the exporter's PyTorch modules loaded from `ckpt`, for the exported graphs to match."""
    import tiny_tokenizer
    model = checkpoint.load(ckpt).eval()
    os.makedirs(out, exist_ok=True)
    v, l = model.config.vision, model.config.llm
    n, side = 2, v.image_size
    idx = np.indices((n, 3, side, side)).astype(np.float64)
    px = (2.0 * np.sin(0.013 * (idx[3] + 1) * (idx[1] + 1) + 0.021 * idx[2] + 0.7 * idx[0])).astype(np.float32)
    tok = tiny_tokenizer.TinyTokenizer()
    ids = [tok.special_ids["<|im_start|>"]] + tok.encode("user\n" + PROMPT) + [tok.special_ids["<|im_end|>"]]
    with torch.no_grad():
        vis = model.vision_encoder()(torch.from_numpy(px)).numpy()
        tokens, steps = _greedy(model, model.llm.model.embed_tokens.weight[ids].unsqueeze(0))
        indicators = model.vte.weight[v.visual_vocab_size - 5:].numpy()
    vis.astype("<f4").tofile(os.path.join(out, "visual_embeds.f32.bin"))
    np.stack(steps).astype("<f4").tofile(os.path.join(out, "step_logits.f32.bin"))
    indicators.astype("<f4").tofile(os.path.join(out, "indicator_rows.f32.bin"))
    ref = {"pixels": "pixel[n][c][y][x] = (float)(2*sin(0.013*(x+1)*(c+1) + 0.021*y + 0.7*n)), n = 0..1",
           "visual_embeds": {"file": "visual_embeds.f32.bin", "shape": list(vis.shape)},
           "prompt_ids": ids, "tokens": tokens,
           "step_logits": {"file": "step_logits.f32.bin", "shape": [len(steps), l.vocab_size]},
           "indicator_rows": {"file": "indicator_rows.f32.bin", "shape": list(indicators.shape)}}
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, indent=2)


def _greedy(model, emb):
    """STEPS greedy steps with the KV cache through modeling.Decoder, as decoder.onnx runs them."""
    c = model.config.llm
    dec = model.decoder().eval()
    past = [torch.zeros(1, c.num_kv_heads, 0, c.head_dim) for _ in range(2 * c.num_layers)]
    n = emb.shape[1]
    out = dec(emb, torch.ones(1, n, dtype=torch.int64), torch.arange(n).unsqueeze(0), *past)
    tokens, steps = [], []
    for step in range(STEPS):
        steps.append(out[0][0].numpy().copy())
        tokens.append(int(torch.argmax(out[0][0])))
        total = n + step + 1
        x = model.llm.model.embed_tokens.weight[tokens[-1]].reshape(1, 1, -1)
        out = dec(x, torch.ones(1, total, dtype=torch.int64), torch.tensor([[total - 1]]), *out[1:])
    return tokens, steps


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(modeling.SIZES), required=True)
    ap.add_argument("--layout", choices=layouts.LAYOUTS, default=layouts.ORIGINAL)
    ap.add_argument("--dtype", choices=layouts.DTYPES, default="BF16")
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reference", metavar="DIR", help="also write reference outputs (tiny tokenizer's prompt)")
    a = ap.parse_args(argv)
    torch.manual_seed(a.seed)
    model = modeling.random_init(modeling.Ovis2(modeling.SIZES[a.size]), a.seed)
    checkpoint.save(model, a.out, a.dtype, a.layout, a.shards)
    del model
    if a.size == "tiny":
        write_text_files(a.out, a.layout)
    if a.reference:
        write_reference(a.out, a.reference)
    print(f"wrote a {a.size} {a.layout}-layout {a.dtype} checkpoint ({a.shards} shards) to {a.out}")


if __name__ == "__main__":
    main()
