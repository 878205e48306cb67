"""config.json of both Ovis2 checkpoint layouts <-> modeling.OvisConfig.

Original (AIDC-AI): `llm_config` (Qwen2) + `visual_tokenizer_config` with its AIMv2
`backbone_config`. Transformers-native (`model_type: ovis2`): `text_config` (Qwen2) +
`vision_config` (the backbone's fields flattened into the visual tokenizer's). transformers saves
only the fields that differ from its class defaults, so a missing field means that default:
HF_VISION_DEFAULTS / QWEN2_DEFAULTS below are those class defaults (sources: docs/exporter.md).
"""
import layouts
import modeling

# Ovis2VisionConfig.__init__ defaults (transformers configuration_ovis2.py)
HF_VISION_DEFAULTS = {"hidden_size": 1024, "intermediate_size": 2816, "num_hidden_layers": 24,
                      "num_attention_heads": 8, "num_channels": 3, "image_size": 224, "patch_size": 14,
                      "rms_norm_eps": 1e-5, "qkv_bias": False, "mlp_bias": False, "hidden_act": "silu",
                      "vocab_size": 16384, "hidden_stride": 1, "num_visual_indicator_tokens": 5,
                      "tokenize_function": "softmax"}
# Qwen2Config.__init__ defaults (transformers configuration_qwen2.py)
QWEN2_DEFAULTS = {"vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
                  "num_attention_heads": 32, "num_key_value_heads": 32, "max_position_embeddings": 32768,
                  "rms_norm_eps": 1e-6, "tie_word_embeddings": False, "rope_theta": 10000.0, "rope_scaling": None,
                  "use_sliding_window": False, "hidden_act": "silu"}


class ConfigError(SystemExit):
    """config.json is not an Ovis2 configuration the exporter can reproduce exactly."""


def layout_of(cfg, where):
    if "llm_config" in cfg and "visual_tokenizer_config" in cfg:
        return layouts.ORIGINAL
    if "text_config" in cfg and "vision_config" in cfg:
        if cfg.get("model_type", "ovis2") != "ovis2":
            raise ConfigError(f"{where}: model_type {cfg.get('model_type')!r} has text_config/vision_config but is not ovis2")
        return layouts.HF
    raise ConfigError(f"{where}: neither the original Ovis2 layout (llm_config + visual_tokenizer_config) nor the "
                      f"transformers one (model_type ovis2, text_config + vision_config); top-level keys: {sorted(cfg)}")


def from_json(cfg, where="config.json"):
    """-> (OvisConfig, layout)."""
    layout = layout_of(cfg, where)
    if layout == layouts.ORIGINAL:
        vt = cfg["visual_tokenizer_config"]
        bb = dict(vt.get("backbone_config") or {})
        for key in ("hidden_stride", "vocab_size", "tokenize_function"):
            bb[key] = vt.get(key, {"hidden_stride": 2, "vocab_size": 65536, "tokenize_function": "softmax"}[key])
        vision, text = bb, cfg["llm_config"]
        if cfg.get("conversation_formatter_class", "QwenConversationFormatter") != "QwenConversationFormatter":
            raise ConfigError(f"{where}: conversation_formatter_class {cfg['conversation_formatter_class']} is not "
                              f"QwenConversationFormatter, the prompt format model.json describes")
        untie = bool(cfg.get("disable_tie_weight", False))
        context = cfg.get("multimodal_max_length", 32768)
    else:
        vision = {**HF_VISION_DEFAULTS, **cfg["vision_config"]}
        text = {**QWEN2_DEFAULTS, **cfg["text_config"]}
        if vision["num_visual_indicator_tokens"] != 5:
            raise ConfigError(f"{where}: vision_config.num_visual_indicator_tokens={vision['num_visual_indicator_tokens']}, "
                              f"Ovis2 has 5")
        untie = False
        context = text["max_position_embeddings"]
    _check(vision, text, layout, where)
    return _build(vision, text, untie, context), layout


def _check(vision, text, layout, where):
    section = ("visual_tokenizer_config" if layout == layouts.ORIGINAL else "vision_config")
    if vision.get("tokenize_function", "softmax") != "softmax":
        raise ConfigError(f"{where}: {section}.tokenize_function={vision['tokenize_function']}: only softmax is exported")
    for bias in ("qkv_bias", "use_bias", "mlp_bias"):
        if vision.get(bias):
            raise ConfigError(f"{where}: {section} sets {bias}; Ovis2's AIMv2 has no biases there")
    if text.get("rope_scaling"):
        raise ConfigError(f"{where}: rope_scaling is set; Ovis2 (Qwen2.5) uses plain RoPE")
    if text.get("use_sliding_window"):
        raise ConfigError(f"{where}: use_sliding_window is set; Ovis2 (Qwen2.5) attends to the whole context")
    for act in (vision.get("hidden_act", "silu"), text.get("hidden_act", "silu")):
        if act != "silu":
            raise ConfigError(f"{where}: hidden_act {act}; Ovis2 uses silu")


def _build(vision, text, untie, context):
    v = modeling.VisionConfig(
        hidden_size=vision["hidden_size"], intermediate_size=vision["intermediate_size"],
        num_layers=vision["num_hidden_layers"], num_heads=vision["num_attention_heads"],
        visual_vocab_size=vision["vocab_size"], image_size=vision.get("image_size", 448),
        patch_size=vision.get("patch_size", 14), hidden_stride=vision["hidden_stride"],
        rms_norm_eps=vision.get("rms_norm_eps", 1e-5))
    heads = text["num_attention_heads"]
    l = modeling.LlmConfig(
        hidden_size=text["hidden_size"], num_layers=text["num_hidden_layers"], num_heads=heads,
        num_kv_heads=text.get("num_key_value_heads") or heads,
        head_dim=text.get("head_dim") or text["hidden_size"] // heads,
        intermediate_size=text["intermediate_size"], vocab_size=text["vocab_size"],
        tie_word_embeddings=bool(text.get("tie_word_embeddings", False)) and not untie,
        rms_norm_eps=text.get("rms_norm_eps", 1e-6), rope_theta=float(text.get("rope_theta", 1e6)),
        max_position_embeddings=text.get("max_position_embeddings", 32768))
    return modeling.OvisConfig(v, l, context_length=context)


def _qwen2(l):
    return {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": l.hidden_size,
            "num_hidden_layers": l.num_layers, "num_attention_heads": l.num_heads,
            "num_key_value_heads": l.num_kv_heads, "intermediate_size": l.intermediate_size,
            "vocab_size": l.vocab_size, "tie_word_embeddings": l.tie_word_embeddings,
            "rms_norm_eps": l.rms_norm_eps, "rope_theta": l.rope_theta,
            "max_position_embeddings": l.max_position_embeddings, "use_sliding_window": False, "hidden_act": "silu"}


def to_json(config, layout):
    """A config.json of `layout` for `config` (what synthetic checkpoints carry)."""
    v, l = config.vision, config.llm
    if layout == layouts.ORIGINAL:
        return {
            "model_type": "ovis", "architectures": ["Ovis"], "multimodal_max_length": config.context_length,
            "conversation_formatter_class": "QwenConversationFormatter", "disable_tie_weight": False,
            "llm_config": _qwen2(l),
            "visual_tokenizer_config": {
                "model_type": "aimv2_visual_tokenizer", "vocab_size": v.visual_vocab_size,
                "hidden_stride": v.hidden_stride, "tokenize_function": "softmax",
                "backbone_config": {"model_type": "aimv2", "hidden_size": v.hidden_size,
                                    "intermediate_size": v.intermediate_size, "num_hidden_layers": v.num_layers,
                                    "num_attention_heads": v.num_heads, "image_size": v.image_size,
                                    "patch_size": v.patch_size, "rms_norm_eps": v.rms_norm_eps, "qkv_bias": False,
                                    "use_bias": False, "num_channels": 3}},
        }
    return {
        "model_type": "ovis2", "architectures": ["Ovis2ForConditionalGeneration"],
        "hidden_size": l.hidden_size, "vocab_size": l.vocab_size, "image_token_id": 151665,
        "visual_indicator_token_ids": [151666, 151667, 151668, 151669, 151670],
        "text_config": _qwen2(l),
        "vision_config": {"model_type": "ovis2_vision_model", "hidden_size": v.hidden_size,
                          "intermediate_size": v.intermediate_size, "num_hidden_layers": v.num_layers,
                          "num_attention_heads": v.num_heads, "num_channels": 3, "image_size": v.image_size,
                          "patch_size": v.patch_size, "rms_norm_eps": v.rms_norm_eps, "qkv_bias": False,
                          "mlp_bias": False, "hidden_act": "silu", "vocab_size": v.visual_vocab_size,
                          "hidden_stride": v.hidden_stride, "num_visual_indicator_tokens": 5,
                          "tokenize_function": "softmax"},
    }
