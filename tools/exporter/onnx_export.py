"""torch.onnx export of the two graphs, and the writing of a whole model directory.

Export path: TorchScript-tracing `torch.onnx.export` (opset 17), the path that exists in Debian's
torch 1.13 and that current PyTorch still offers (`dynamo=False`). Graphs are exported in float32;
fp16 / int8 / int4 variants are rewritten afterwards with the `onnx` package (precision.py).
"""
import hashlib
import inspect
import json
import os
import shutil
import tempfile

import numpy as np
import onnx
import torch

OPSET = 17
EXTERNAL_DATA_THRESHOLD = 1_500_000_000  # bytes of initializers; protobuf's hard limit is 2 GiB


def _export(module, args, path, input_names, output_names, dynamic_axes):
    kwargs = dict(input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes,
                  opset_version=OPSET, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # current PyTorch defaults to the dynamo exporter; we use tracing
    with torch.no_grad():
        torch.onnx.export(module, args, path, **kwargs)


def export_vision(model, path):
    enc = model.vision_encoder().eval()
    side = model.config.vision.image_size
    dummy = torch.zeros(2, 3, side, side)
    _export(enc, (dummy,), path, ["pixel_values"], ["visual_embeds"],
            {"pixel_values": {0: "n"}, "visual_embeds": {0: "n"}})


def decoder_io_names(num_layers):
    past = [f"past_key_values.{i}.{kv}" for i in range(num_layers) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(num_layers) for kv in ("key", "value")]
    return past, present


def export_decoder(model, path):
    dec = model.decoder().eval()
    c = model.config.llm
    b, s, p = 2, 3, 4
    embeds = torch.zeros(b, s, c.hidden_size)
    mask = torch.ones(b, p + s, dtype=torch.int64)
    pos = torch.arange(p, p + s, dtype=torch.int64).unsqueeze(0).repeat(b, 1)
    past = [torch.zeros(b, c.num_kv_heads, p, c.head_dim) for _ in range(2 * c.num_layers)]
    past_names, present_names = decoder_io_names(c.num_layers)
    axes = {"inputs_embeds": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"}}
    for n in past_names:
        axes[n] = {0: "batch", 2: "past"}
    for n in present_names:
        axes[n] = {0: "batch", 2: "total"}
    _export(dec, (embeds, mask, pos, *past), path, ["inputs_embeds", "attention_mask", "position_ids", *past_names],
            ["logits", *present_names], axes)


def initializer_bytes(m):
    return sum(t.raw_data.__len__() if t.HasField("raw_data") else 0 for t in m.graph.initializer)


def save_onnx(m, path):
    """Saves `m`, moving initializers into `<name>.data` when they approach protobuf's 2 GiB limit."""
    name = os.path.basename(path)
    if initializer_bytes(m) > EXTERNAL_DATA_THRESHOLD:
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=name + ".data", size_threshold=1024, convert_attribute=False)
        return [name, name + ".data"]
    onnx.save_model(m, path)
    return [name]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_table(path, array, dtype):
    np.ascontiguousarray(array.astype("<f4" if dtype == "float32" else "<f2")).tofile(path)
