"""What a checkpoint directory says about text: stop ids, generation defaults, chat template.

Read from the files the published repositories carry next to the weights (both layouts):
`generation_config.json` (eos_token_id — an int or a list —, pad_token_id, sampling defaults),
`tokenizer_config.json` (eos/pad tokens, `chat_template`), and, as newer transformers versions save
it, `chat_template.jinja` or `chat_template.json`. Each is optional; model.json records which
file a value came from. The serving prompt itself stays the reference formatter's (ovis2.md §5.1):
the template is recorded for reference, not executed.
"""
import json
import os

SAMPLING_KEYS = ("do_sample", "temperature", "top_p", "top_k", "repetition_penalty", "max_new_tokens")


class TokensError(SystemExit):
    """A text-side file of the checkpoint contradicts its tokenizer or vocabulary."""


def _read_json(path, name):
    file = os.path.join(path, name)
    if not os.path.exists(file):
        return None
    with open(file, encoding="utf-8") as f:
        try:
            return json.load(f)
        except ValueError as e:
            raise TokensError(f"{file}: not JSON ({e})") from e


def generation(path, vocab_size):
    """-> the manifest's `generation` object from generation_config.json, or None without that file."""
    cfg = _read_json(path, "generation_config.json")
    if cfg is None:
        return None
    where = os.path.join(path, "generation_config.json")
    eos = cfg.get("eos_token_id")
    eos = [eos] if isinstance(eos, int) else eos
    if not eos or not all(isinstance(i, int) for i in eos):
        raise TokensError(f"{where}: eos_token_id {cfg.get('eos_token_id')!r} is not a token id or a list of them")
    out = {"source": "generation_config.json", "eos_token_ids": eos}
    if cfg.get("pad_token_id") is not None:
        out["pad_token_id"] = cfg["pad_token_id"]
    for key in SAMPLING_KEYS:
        if cfg.get(key) is not None:
            out[key] = cfg[key]
    named = [("eos_token_id", i) for i in eos]
    if "pad_token_id" in out:
        named.append(("pad_token_id", out["pad_token_id"]))
    for key, i in named:
        if not isinstance(i, int) or not 0 <= i < vocab_size:
            raise TokensError(f"{where}: {key} {i} is outside the vocabulary (0..{vocab_size - 1})")
    return out


def chat_template(path):
    """-> {source, template} from the first of chat_template.jinja, chat_template.json, tokenizer_config.json."""
    jinja = os.path.join(path, "chat_template.jinja")
    if os.path.exists(jinja):
        with open(jinja, encoding="utf-8") as f:
            return {"source": "chat_template.jinja", "template": f.read()}
    for name in ("chat_template.json", "tokenizer_config.json"):
        cfg = _read_json(path, name)
        template = (cfg or {}).get("chat_template")
        if isinstance(template, list):  # named templates: [{name, template}, ...]
            template = next((t.get("template") for t in template if t.get("name") == "default"), None)
        if isinstance(template, str) and template:
            return {"source": name, "template": template}
    return None


def stop_ids(generation_obj, special):
    """The decoder's stop ids: the checkpoint's eos ids, plus <|im_end|> if they lack it (every chat
    turn ends there); without generation_config.json the reference pair [<|im_end|>, <|endoftext|>]."""
    if generation_obj is None:
        return [special["im_end"], special["endoftext"]]
    ids = list(dict.fromkeys(generation_obj["eos_token_ids"]))
    return ids if special["im_end"] in ids else ids + [special["im_end"]]


def pad_id(path, tok_ids, special):
    """tokenizer_config.json's pad_token resolved through tokenizer.json's added tokens, else <|endoftext|>."""
    cfg = _read_json(path, "tokenizer_config.json") or {}
    pad = cfg.get("pad_token")
    if isinstance(pad, dict):
        pad = pad.get("content")
    if pad is None:
        return special["endoftext"]
    if pad not in tok_ids:
        raise TokensError(f"{os.path.join(path, 'tokenizer_config.json')}: pad_token {pad!r} is not a token of tokenizer.json")
    return tok_ids[pad]
