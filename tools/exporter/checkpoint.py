"""Reading (and, for tests, writing) Ovis2 checkpoints in the Hugging Face layout.

A checkpoint directory holds `config.json` (with `llm_config` and `visual_tokenizer_config`) and
`*.safetensors` (one file or shards listed in `model.safetensors.index.json`). safetensors is read
with numpy directly (8-byte header length, JSON header, raw little-endian data) so no extra package
is needed. Weights load into the same modules random-init uses (modeling.Ovis2).
"""
import json
import os

import numpy as np
import torch

import modeling

_NP = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _NP:
            raise SystemExit(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        raw = np.memmap(path, dtype=_NP[info["dtype"]], mode="r", offset=base + begin, shape=(count,))
        if end - begin != raw.nbytes:
            raise SystemExit(f"{path}: tensor {name} has inconsistent offsets")
        if info["dtype"] == "BF16":
            arr = (raw.astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.array(raw)
        out[name] = torch.from_numpy(arr.reshape(info["shape"]))
    return out


def write_safetensors(path, tensors, dtype="F32"):
    """Writes float tensors as F32 or BF16 (round to nearest even), sorted by name."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = tensors[name].detach().float().contiguous().numpy()
        if dtype == "BF16":
            u = a.view(np.uint32).astype(np.uint64)
            data = (((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)).tobytes()
        else:
            data = a.astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)


def config_from_hf(cfg):
    llm, vt = cfg["llm_config"], cfg["visual_tokenizer_config"]
    bb = vt.get("backbone_config") or {}
    if vt.get("tokenize_function", "softmax") != "softmax":
        raise SystemExit(f"visual_tokenizer_config.tokenize_function={vt['tokenize_function']}: only softmax is exported")
    if bb.get("qkv_bias") or bb.get("use_bias"):
        raise SystemExit("AIMv2 backbone with biases (qkv_bias/use_bias) is not an Ovis2 configuration")
    if llm.get("rope_scaling"):
        raise SystemExit("llm_config.rope_scaling is set; Ovis2 (Qwen2.5) uses plain RoPE")
    vision = modeling.VisionConfig(
        hidden_size=bb["hidden_size"], intermediate_size=bb["intermediate_size"],
        num_layers=bb["num_hidden_layers"], num_heads=bb["num_attention_heads"],
        visual_vocab_size=vt.get("vocab_size", 65536), image_size=bb.get("image_size", 448),
        patch_size=bb.get("patch_size", 14), hidden_stride=vt.get("hidden_stride", 2),
        rms_norm_eps=bb.get("rms_norm_eps", 1e-5))
    heads = llm["num_attention_heads"]
    lc = modeling.LlmConfig(
        hidden_size=llm["hidden_size"], num_layers=llm["num_hidden_layers"], num_heads=heads,
        num_kv_heads=llm.get("num_key_value_heads", heads), head_dim=llm.get("head_dim") or llm["hidden_size"] // heads,
        intermediate_size=llm["intermediate_size"], vocab_size=llm["vocab_size"],
        tie_word_embeddings=bool(llm.get("tie_word_embeddings", False)) and not cfg.get("disable_tie_weight", False),
        rms_norm_eps=llm.get("rms_norm_eps", 1e-6), rope_theta=float(llm.get("rope_theta", 1e6)),
        max_position_embeddings=llm.get("max_position_embeddings", 32768))
    return modeling.OvisConfig(vision, lc, context_length=cfg.get("multimodal_max_length", 32768))


def config_to_hf(config):
    v, l = config.vision, config.llm
    return {
        "model_type": "ovis", "architectures": ["Ovis"], "multimodal_max_length": config.context_length,
        "conversation_formatter_class": "QwenConversationFormatter", "disable_tie_weight": False,
        "llm_config": {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": l.hidden_size,
                       "num_hidden_layers": l.num_layers, "num_attention_heads": l.num_heads,
                       "num_key_value_heads": l.num_kv_heads, "intermediate_size": l.intermediate_size,
                       "vocab_size": l.vocab_size, "tie_word_embeddings": l.tie_word_embeddings,
                       "rms_norm_eps": l.rms_norm_eps, "rope_theta": l.rope_theta,
                       "max_position_embeddings": l.max_position_embeddings, "use_sliding_window": False},
        "visual_tokenizer_config": {"model_type": "aimv2_visual_tokenizer", "vocab_size": v.visual_vocab_size,
                                    "hidden_stride": v.hidden_stride, "tokenize_function": "softmax",
                                    "backbone_config": {"model_type": "aimv2", "hidden_size": v.hidden_size,
                                                        "intermediate_size": v.intermediate_size,
                                                        "num_hidden_layers": v.num_layers,
                                                        "num_attention_heads": v.num_heads,
                                                        "image_size": v.image_size, "patch_size": v.patch_size,
                                                        "rms_norm_eps": v.rms_norm_eps, "qkv_bias": False,
                                                        "use_bias": False, "num_channels": 3}},
    }


def _shards(path):
    index = os.path.join(path, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            return sorted(set(json.load(f)["weight_map"].values()))
    files = sorted(f for f in os.listdir(path) if f.endswith(".safetensors"))
    if not files:
        raise SystemExit(f"{path}: no *.safetensors files")
    return files


IGNORED_SUFFIXES = ("rotary_emb.inv_freq",)


def load(path):
    """Builds modeling.Ovis2 from a checkpoint directory, with the loaded model's tying semantics."""
    with open(os.path.join(path, "config.json")) as f:
        config = config_from_hf(json.load(f))
    state = {}
    for shard in _shards(path):
        state.update(read_safetensors(os.path.join(path, shard)))
    state = {k: v for k, v in state.items() if not k.endswith(IGNORED_SUFFIXES)}
    if config.llm.tie_word_embeddings:
        # The checkpoints store llm.lm_head.weight separately; the loaded model re-ties it to the input
        # embeddings (ovis2.md §1), so the stored copy is not used.
        state.pop("llm.lm_head.weight", None)
    model = modeling.Ovis2(config)
    expected = set(model.state_dict().keys())
    if config.llm.tie_word_embeddings:
        expected.discard("llm.lm_head.weight")
    missing = sorted(expected - set(state))
    unexpected = sorted(set(state) - expected)
    if missing or unexpected:
        raise SystemExit(f"{path}: checkpoint does not match the Ovis2 modules; missing {missing[:8]}"
                         f"{' …' if len(missing) > 8 else ''}, unexpected {unexpected[:8]}")
    with torch.no_grad():
        params = dict(model.named_parameters())
        for name, tensor in state.items():
            target = params[name]
            if tuple(target.shape) != tuple(tensor.shape):
                raise SystemExit(f"{path}: {name} has shape {tuple(tensor.shape)}, config implies {tuple(target.shape)}")
            target.copy_(tensor)
    return model


def save(model, path, dtype="F32"):
    """Writes `model` as an Ovis2 checkpoint directory (used by tests; tied lm_head stored as well)."""
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config_to_hf(model.config), f, indent=2)
    write_safetensors(os.path.join(path, "model.safetensors"), model.state_dict(), dtype)
