"""Writes the tiny SigLIP-shaped encoder pair used by OnnxSiglipFrameEmbedderTests (run with Debian's python3 + python3-onnx).

image.onnx: pixel_values float32 [N,3,S,S] -> image_embeds float32 [N,3] = L2-normalised mean colour per channel
text.onnx:  input_ids int64 [B,T]          -> text_embeds float32 [B,3] = L2-normalised mean of a 3-d row per token
tokenizer.json: word-level; "red"/"green"/"blue" point along the colour axes, everything else is neutral.
Same graph names and shapes as a real export (docs/video.md), a few hundred bytes instead of 3 GB.
"""
import json
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]

image = helper.make_graph(
    [helper.make_node("ReduceMean", ["pixel_values"], ["mean"], axes=[2, 3], keepdims=0),
     helper.make_node("LpNormalization", ["mean"], ["image_embeds"], axis=-1, p=2)],
    "tiny_siglip_image",
    [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["N", 3, "S", "S"])],
    [helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["N", 3])])
onnx.save(helper.make_model(image, opset_imports=OPSET, ir_version=8), "image.onnx")

# vocabulary: 0 <unk>, 1 </s> (pad), 2 red, 3 green, 4 blue, 5 what, 6 is, 7 the, 8 car
table = np.zeros((9, 3), dtype=np.float32)
table[2] = [1.0, -0.5, -0.5]
table[3] = [-0.5, 1.0, -0.5]
table[4] = [-0.5, -0.5, 1.0]
text = helper.make_graph(
    [helper.make_node("Gather", ["table", "input_ids"], ["rows"], axis=0),
     helper.make_node("ReduceMean", ["rows"], ["mean"], axes=[1], keepdims=0),
     helper.make_node("LpNormalization", ["mean"], ["text_embeds"], axis=-1, p=2)],
    "tiny_siglip_text",
    [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["B", "T"])],
    [helper.make_tensor_value_info("text_embeds", TensorProto.FLOAT, ["B", 3])],
    [numpy_helper.from_array(table, "table")])
onnx.save(helper.make_model(text, opset_imports=OPSET, ir_version=8), "text.onnx")

vocab = {w: i for i, w in enumerate(["<unk>", "</s>", "red", "green", "blue", "what", "is", "the", "car"])}
tokenizer = {
    "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
    "normalizer": {"type": "Lowercase"},
    "pre_tokenizer": {"type": "Whitespace"},
    "post_processor": None, "decoder": None,
    "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
}
with open("tokenizer.json", "w") as f:
    json.dump(tokenizer, f, indent=1)
