"""Names and shapes of every tensor in the two published Ovis2 checkpoint layouts, for any size.

- ORIGINAL: AIDC-AI's remote-code layout (`visual_tokenizer.*`, `vte.weight`, `llm.*`), as in the
  published Ovis2-1B … 34B repositories. These are also modeling.Ovis2's own state-dict names.
- HF: the Transformers-native layout of `transformers/models/ovis2` (`model.vision_tower.*`,
  `model.visual_embeddings_table.weight`, `model.language_model.*`, `lm_head.weight`), written by
  its `convert_ovis2_weights_to_hf.py`. It splits the ViT's fused qkv into q/k/v and stores the
  position embedding without its leading batch axis.

Sources of each fact are listed in docs/exporter.md. `tensors()` is the one table: the loader
checks a checkpoint against it, the synthetic-checkpoint writer writes exactly it, and the docs
table is generated from it (a test keeps them equal).
"""
import dataclasses
import re

import modeling

ORIGINAL = "original"
HF = "hf"
LAYOUTS = (ORIGINAL, HF)
DTYPES = ("BF16", "F16", "F32")


@dataclasses.dataclass(frozen=True)
class Tensor:
    name: str      # name in the checkpoint
    shape: tuple   # shape in the checkpoint, from the config
    target: str    # the modeling.Ovis2 parameter it fills
    index: tuple   # the part of that parameter it fills (() = all of it)
    used: bool = True  # False: a stored copy that the loaded model ignores (a tied lm_head)


def tensors(config, layout):
    """Every tensor a checkpoint of `layout` holds for `config`, in a stable order."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {LAYOUTS}")
    v, l = config.vision, config.llm
    out = _vision(v, layout)
    vte = "vte.weight" if layout == ORIGINAL else "model.visual_embeddings_table.weight"
    out.append(Tensor(vte, (v.visual_vocab_size, l.hidden_size), "vte.weight", ()))
    out += _llm(l, layout)
    return out


def _vision(v, layout):
    d, i, p = v.hidden_size, v.intermediate_size, v.patch_size
    src = "visual_tokenizer.backbone." if layout == ORIGINAL else "model.vision_tower.transformer."
    dst = "visual_tokenizer.backbone."
    t = []

    def add(orig, hf, shape, target=None, index=()):
        t.append(Tensor(src + (orig if layout == ORIGINAL else hf), shape, dst + (target or orig), index))

    add("preprocessor.patchifier.proj.weight", "embeddings.patch_embedding.weight", (d, 3, p, p))
    add("preprocessor.patchifier.proj.bias", "embeddings.patch_embedding.bias", (d,))
    add("preprocessor.patchifier.norm.weight", "embeddings.rms_norm.weight", (d,))
    if layout == ORIGINAL:
        add("preprocessor.pos_embed", None, (1, v.num_patches, d))
    else:
        add(None, "embeddings.position_embedding.weight", (v.num_patches, d), "preprocessor.pos_embed", (0,))
    for n in range(v.num_layers):
        o, h = f"trunk.blocks.{n}.", f"encoder.layers.{n}."
        if layout == ORIGINAL:
            add(o + "attn.qkv.weight", None, (3 * d, d))
        else:
            for k, part in enumerate(("q", "k", "v")):
                add(None, h + f"attention.{part}_proj.weight", (d, d), o + "attn.qkv.weight", (slice(k * d, (k + 1) * d),))
        add(o + "attn.proj.weight", h + "attention.out_proj.weight", (d, d))
        add(o + "mlp.fc1.weight", h + "ffn.gate_proj.weight", (i, d))
        add(o + "mlp.fc2.weight", h + "ffn.down_proj.weight", (d, i))
        add(o + "mlp.fc3.weight", h + "ffn.up_proj.weight", (i, d))
        add(o + "norm_1.weight", h + "rms_norm1.weight", (d,))
        add(o + "norm_2.weight", h + "rms_norm2.weight", (d,))
    # Stored in both layouts; the original model never applies it (ovis2.md §3), neither do we.
    add("trunk.post_trunk_norm.weight", "rms_norm.weight", (d,))
    head_in, head_out = d * v.hidden_stride ** 2, v.head_out
    if layout == ORIGINAL:
        names = ("visual_tokenizer.head.0.weight", "visual_tokenizer.head.1.weight", "visual_tokenizer.head.1.bias")
    else:
        names = ("model.vision_tower.head_linear.weight", "model.vision_tower.head_norm.weight",
                 "model.vision_tower.head_norm.bias")
    targets = ("visual_tokenizer.head.0.weight", "visual_tokenizer.head.1.weight", "visual_tokenizer.head.1.bias")
    for name, target, shape in zip(names, targets, ((head_out, head_in), (head_out,), (head_out,))):
        t.append(Tensor(name, shape, target, ()))
    return t


def _llm(l, layout):
    h, q, kv, i = l.hidden_size, l.num_heads * l.head_dim, l.num_kv_heads * l.head_dim, l.intermediate_size
    prefix = "llm.model." if layout == ORIGINAL else "model.language_model."
    t = [Tensor(prefix + "embed_tokens.weight", (l.vocab_size, h), "llm.model.embed_tokens.weight", ())]
    shapes = {"self_attn.q_proj.weight": (q, h), "self_attn.q_proj.bias": (q,),
              "self_attn.k_proj.weight": (kv, h), "self_attn.k_proj.bias": (kv,),
              "self_attn.v_proj.weight": (kv, h), "self_attn.v_proj.bias": (kv,),
              "self_attn.o_proj.weight": (h, q),
              "mlp.gate_proj.weight": (i, h), "mlp.up_proj.weight": (i, h), "mlp.down_proj.weight": (h, i),
              "input_layernorm.weight": (h,), "post_attention_layernorm.weight": (h,)}
    for n in range(l.num_layers):
        for suffix, shape in shapes.items():
            t.append(Tensor(f"{prefix}layers.{n}.{suffix}", shape, f"llm.model.layers.{n}.{suffix}", ()))
    t.append(Tensor(prefix + "norm.weight", (h,), "llm.model.norm.weight", ()))
    head = "llm.lm_head.weight" if layout == ORIGINAL else "lm_head.weight"
    # Tied sizes: the original checkpoints still store a copy (ovis2.md §1), which the loaded model
    # replaces by embed_tokens; transformers' save_pretrained drops tied weights, so it may be absent.
    t.append(Tensor(head, (l.vocab_size, h), "llm.lm_head.weight", (), used=not l.tie_word_embeddings))
    return t


def optional(tensor, layout):
    """Whether a checkpoint may lack `tensor` (only an unused tied head in the HF layout)."""
    return not tensor.used and layout == HF


def summary(config, layout, dtype_bytes=2):
    """(tensor count, parameter count, bytes at `dtype_bytes`) of a full checkpoint of `layout`."""
    ts = [t for t in tensors(config, layout) if not optional(t, layout)]
    params = sum(numel(t.shape) for t in ts)
    return len(ts), params, params * dtype_bytes


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _pattern(name):
    return re.sub(r"\.(blocks|layers)\.\d+\.", r".\1.N.", name)


def markdown_table():
    """The per-size name-and-shape table of docs/exporter.md (generated; a test keeps the docs equal)."""
    sizes = [s for s in modeling.SIZES if s != "tiny"]
    lines = ["| original layout | transformers layout | " + " | ".join(s.upper() for s in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]

    def by_target(size, layout):
        out = {}
        for t in tensors(modeling.SIZES[size], layout):
            out.setdefault(_pattern(t.target), []).append(t)
        return out

    tables = {s: (by_target(s, ORIGINAL), by_target(s, HF)) for s in sizes}
    first_orig, first_hf = tables[sizes[0]]
    for target, origs in first_orig.items():
        per_original = len(first_hf[target]) // len(origs)  # 3 for the split qkv, else 1
        for j in range(per_original):  # layer 0's entries stand for every layer N
            cells = []
            for s in sizes:
                o, h = tables[s][0][target][0].shape, tables[s][1][target][j].shape
                cells.append(_shape(o) if o == h else f"{_shape(o)} → {_shape(h)}")
            name = f"`{_pattern(origs[0].name)}`" if j == 0 else "″"
            lines.append(f"| {name} | `{_pattern(first_hf[target][j].name)}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _shape(s):
    return "[" + ",".join(str(x) for x in s) + "]"


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description="prints the tensors of one Ovis2 size and layout, or the docs table")
    ap.add_argument("--size", choices=sorted(modeling.SIZES))
    ap.add_argument("--layout", choices=LAYOUTS, default=ORIGINAL)
    ap.add_argument("--markdown", action="store_true", help="the per-size table of docs/exporter.md")
    a = ap.parse_args(argv)
    if a.markdown or not a.size:
        print(markdown_table())
        return
    for t in tensors(modeling.SIZES[a.size], a.layout):
        print(t.name, list(t.shape), "" if t.used else "(stored copy, unused: tied to embed_tokens)")


if __name__ == "__main__":
    main()
