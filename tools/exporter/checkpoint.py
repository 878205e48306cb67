"""Reading (and, for tests and benchmarks, writing) Ovis2 checkpoints in both published layouts.

A checkpoint directory holds `config.json` and `*.safetensors` (one file, or shards listed in
`model.safetensors.index.json`), in the original AIDC-AI layout or the transformers-native one
(layouts.py). Loading first reads every header and checks each tensor's name, shape and dtype
against layouts.tensors(); any unknown, missing or misshapen tensor stops the export with a
message naming it. Then weights are copied one tensor at a time into modeling.Ovis2.
"""
import json
import os

import torch

import checkpoint_config
import layouts
import modeling
import safetensors_io

INDEX = "model.safetensors.index.json"
MAX_LISTED = 20


class CheckpointError(SystemExit):
    """The checkpoint does not match the Ovis2 layout its config describes; the message lists every problem."""


def read_config(path):
    """-> (OvisConfig, layout) from `path`/config.json."""
    file = os.path.join(path, "config.json")
    if not os.path.exists(file):
        raise CheckpointError(f"{path}: no config.json (not a checkpoint directory)")
    with open(file, encoding="utf-8") as f:
        return checkpoint_config.from_json(json.load(f), file)


def stored_tensors(path):
    """-> {name: safetensors_io.Stored} over all shards, the index checked against the shard headers."""
    index = os.path.join(path, INDEX)
    problems, out = [], {}
    if os.path.exists(index):
        with open(index, encoding="utf-8") as f:
            weight_map = json.load(f).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise CheckpointError(f"{index}: no weight_map")
        files = sorted(set(weight_map.values()))
        absent = [f for f in files if not os.path.exists(os.path.join(path, f))]
        if absent:
            raise CheckpointError(f"{index} lists shards that are not in {path}: {absent} "
                                  f"(e.g. {next(n for n, f in weight_map.items() if f == absent[0])})")
    else:
        weight_map = None
        files = sorted(f for f in os.listdir(path) if f.endswith(".safetensors"))
        if not files:
            raise CheckpointError(f"{path}: no *.safetensors files and no {INDEX}")
    for file in files:
        for name, s in safetensors_io.read_header(os.path.join(path, file)).items():
            if name in out:
                problems.append(f"{name} is stored twice: in {os.path.basename(out[name].file)} and {file}")
            elif weight_map is not None and weight_map.get(name) != file:
                problems.append(f"{name} {list(s.shape)} is in {file} but {INDEX} maps it to {weight_map.get(name)}")
            out[name] = s
    if weight_map is not None:
        problems += [f"{n}: {INDEX} maps it to {f}, which does not contain it"
                     for n, f in sorted(weight_map.items()) if n not in out]
    _fail(path, problems, "the shards and their index disagree")
    return out


def check(path, config, layout, stored):
    """Raises CheckpointError listing every unknown, missing, misshapen or wrongly typed tensor."""
    expected = {t.name: t for t in layouts.tensors(config, layout)}
    other = next(x for x in layouts.LAYOUTS if x != layout)
    if not set(stored) & set(expected) and set(stored) <= {t.name for t in layouts.tensors(config, other)}:
        example = sorted(stored)[0]
        raise CheckpointError(f"{path}: config.json describes the {layout} layout but all {len(stored)} tensors are "
                              f"named as in the {other} layout (e.g. {example}, where {layout} has "
                              f"{_counterpart(config, other, layout, example)}); use the config.json that came with "
                              f"these weights")
    problems = []
    for name in sorted(stored):
        s, t = stored[name], expected.get(name)
        where = os.path.basename(s.file)
        if t is None:
            problems.append(f"unexpected tensor {name} {list(s.shape)} {s.dtype} in {where}: not a tensor of the "
                            f"{layout} Ovis2 layout")
        elif s.shape != t.shape:
            problems.append(f"{name} in {where} has shape {list(s.shape)}, expected {list(t.shape)}")
        elif s.dtype not in layouts.DTYPES:
            problems.append(f"{name} in {where} has dtype {s.dtype}, expected one of {', '.join(layouts.DTYPES)}")
    for t in expected.values():
        if t.name not in stored and not layouts.optional(t, layout):
            problems.append(f"missing tensor {t.name}: expected shape {list(t.shape)}")
    _fail(path, problems, f"it does not match the {layout} Ovis2 layout of its config.json ({describe(config)})")


def load(path):
    """Builds modeling.Ovis2 from a checkpoint directory of either layout, with the loaded model's tying."""
    model, _ = load_with_layout(path)
    return model


def load_with_layout(path):
    config, layout = read_config(path)
    stored = stored_tensors(path)
    check(path, config, layout, stored)
    model = modeling.Ovis2(config)
    params = dict(model.named_parameters())  # a tied lm_head is listed once, as embed_tokens
    filled = {name: 0 for name in params}
    with torch.no_grad():
        for t in layouts.tensors(config, layout):
            if not t.used or t.name not in stored:
                continue  # a tied head's stored copy: the loaded model uses embed_tokens instead (ovis2.md §1)
            part = params[t.target][t.index]
            part.copy_(torch.from_numpy(safetensors_io.read_float32(stored[t.name])))
            filled[t.target] += part.numel()
    unfilled = [n for n, p in params.items() if filled[n] != p.numel()]
    if unfilled:  # the layout table and the modules disagree: a bug here, not in the checkpoint
        raise CheckpointError(f"{path}: internal error, parameters not (fully) loaded: {unfilled}")
    return model, layout


def _counterpart(config, src_layout, dst_layout, name):
    target = next(t.target for t in layouts.tensors(config, src_layout) if t.name == name)
    return next(t.name for t in layouts.tensors(config, dst_layout) if t.target == target)


def describe(config):
    v, l = config.vision, config.llm
    return (f"ViT {v.hidden_size}x{v.num_layers}, visual vocab {v.visual_vocab_size}, LLM {l.hidden_size}x{l.num_layers}, "
            f"vocab {l.vocab_size}, {'tied' if l.tie_word_embeddings else 'untied'} lm_head")


def _fail(path, problems, what):
    if not problems:
        return
    listed = "\n  ".join(problems[:MAX_LISTED])
    more = f"\n  … and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    raise CheckpointError(f"{path}: {what}; {len(problems)} problem(s):\n  {listed}{more}")


def save(model, path, dtype="F32", layout=layouts.ORIGINAL, shards=1):
    """Writes `model` as a checkpoint of `layout`: exactly layouts.tensors() (a tied head stored only in
    the original layout, as the published repositories do), in `shards` files with an index if > 1."""
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w", encoding="utf-8") as f:
        json.dump(checkpoint_config.to_json(model.config, layout), f, indent=2)
    state = model.state_dict()
    specs = [t for t in layouts.tensors(model.config, layout) if not layouts.optional(t, layout)]
    groups = _split(specs, shards)
    weight_map, total, n = {}, 0, len(groups)
    for k, group in enumerate(groups):
        file = "model.safetensors" if n == 1 else f"model-{k + 1:05d}-of-{n:05d}.safetensors"
        arrays = {t.name: state[t.target][t.index].detach().numpy() for t in group}
        safetensors_io.write(os.path.join(path, file), arrays, dtype, {"format": "pt"})
        weight_map.update({t.name: file for t in group})
        total += sum(a.size * safetensors_io.ITEMSIZE[dtype] for a in arrays.values())
        del arrays
    if n > 1:
        with open(os.path.join(path, INDEX), "w", encoding="utf-8") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


def _split(specs, shards):
    """Consecutive groups of about equal bytes (how transformers shards: in order, by size)."""
    sizes = [layouts.numel(t.shape) for t in specs]
    budget = sum(sizes) / shards
    groups, acc = [[] for _ in range(shards)], 0
    for t, n in zip(specs, sizes):
        groups[min(shards - 1, int(acc // budget))].append(t)
        acc += n
    return [g for g in groups if g]
