"""--vision-precision int8: the vision graph's linear layers become MatMulNBits, nothing else changes."""
import json
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import ovis2_export  # noqa: E402
import precision  # noqa: E402

FIXTURE = os.path.join(HERE, "..", "..", "..", "fixtures", "tiny-ovis2")


def ops(model):
    return [n.op_type for n in model.graph.node]


class VisionInt8(unittest.TestCase):

    def setUp(self):
        self.fp32 = onnx.load(os.path.join(FIXTURE, "vision.onnx"))

    def test_every_vit_and_head_linear_is_quantised_and_the_rest_stays_float32(self):
        inits = {t.name: numpy_helper.to_array(t) for t in self.fp32.graph.initializer}
        linears = {n.output[0]: n for n in self.fp32.graph.node
                   if n.op_type == "MatMul" and n.input[1] in inits and n.name.startswith("/visual_tokenizer/")}
        # tiny: 2 blocks x (qkv, proj, fc1, fc2, fc3) + the head's Linear
        self.assertEqual(len(linears), 11)
        q = precision.quantize_vision(onnx.load(os.path.join(FIXTURE, "vision.onnx")), 8)
        onnx.checker.check_model(q)
        qinits = {t.name: numpy_helper.to_array(t) for t in q.graph.initializer}
        nbits = [n for n in q.graph.node if n.op_type == "MatMulNBits"]
        self.assertEqual(sorted(n.output[0] for n in nbits), sorted(linears))
        for n in nbits:
            attrs = {a.name: a.i for a in n.attribute}
            self.assertEqual((n.domain, attrs["bits"], attrs["block_size"], attrs["accuracy_level"]),
                             ("com.microsoft", 8, 32, 4))
            # Dequantise independently of the writer: (q - 128) * scale per block of 32 along K
            w = inits[linears[n.output[0]].input[1]].T  # [N, K]
            packed, scales = qinits[n.input[1]], qinits[n.input[2]]
            self.assertEqual((attrs["N"], attrs["K"]), w.shape)
            blocks = packed.shape[1]
            s = scales.reshape(w.shape[0], blocks, 1)
            deq = ((packed.astype(np.float32) - 128) * s).reshape(w.shape[0], -1)[:, :w.shape[1]]
            err = np.abs(deq - w).reshape(w.shape[0], blocks, 32)
            self.assertTrue(np.all(err <= s * 0.5 + 1e-7), n.name)
        # Untouched: the attention products, the probability x VTE product (VTE float32), norms, softmaxes
        rest = [n for n in q.graph.node if n.op_type == "MatMul"]
        self.assertEqual(len(rest), 5)
        vte = [n for n in rest if "vte.weight" in n.input]
        self.assertEqual(len(vte), 1)
        self.assertEqual(next(t for t in q.graph.initializer if t.name == "vte.weight").data_type,
                         onnx.TensorProto.FLOAT)
        for op in ("LayerNormalization", "Softmax", "Conv", "ReduceMean"):
            self.assertEqual(ops(q).count(op), ops(self.fp32).count(op), op)
        self.assertEqual([o.name for o in q.graph.output], [o.name for o in self.fp32.graph.output])

    def test_a_graph_without_the_vision_scope_is_refused_rather_than_left_float32(self):
        for n in self.fp32.graph.node:
            n.name = n.name.replace("/visual_tokenizer/", "/renamed/")
        with self.assertRaises(ValueError) as e:
            precision.quantize_vision(self.fp32, 8)
        self.assertIn("/visual_tokenizer/", str(e.exception))


class VisionPrecisionCommandLine(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def manifest(self, d):
        with open(os.path.join(d, "model.json"), encoding="utf-8") as f:
            return json.load(f)

    def test_from_fp32_rewrites_only_vision_and_records_it(self):
        out = os.path.join(self.dir, "v8")
        ovis2_export.main(["--from-fp32", FIXTURE, "--vision-precision", "int8", "--out", out])
        m, src = self.manifest(out), self.manifest(FIXTURE)
        self.assertEqual((m["precision"], m["vision_graph"]["precision"], m["decoder_graph"]["precision"]),
                         ("fp32", "int8", "fp32"))
        self.assertEqual(m["name"], src["name"].rsplit("-fp32", 1)[0] + "-fp32-vision-int8")
        files = {e["path"]: e for e in m["files"]}
        src_files = {e["path"]: e for e in src["files"]}
        self.assertEqual(set(files), set(src_files))
        for same in ("decoder.onnx", "text_embeds.bin", "indicator_embeds.bin", "tokenizer.json"):
            self.assertEqual(files[same]["sha256"], src_files[same]["sha256"], same)
        self.assertNotEqual(files["vision.onnx"]["sha256"], src_files["vision.onnx"]["sha256"])
        self.assertIn("MatMulNBits", ops(onnx.load(os.path.join(out, "vision.onnx"))))

    def test_with_an_int8_decoder_vision_stays_float32_unless_asked(self):
        out = os.path.join(self.dir, "d8")
        ovis2_export.main(["--from-fp32", FIXTURE, "--precision", "int8", "--out", out])
        m = self.manifest(out)
        self.assertEqual((m["precision"], m["vision_graph"]["precision"]), ("int8", "fp32"))
        self.assertNotIn("MatMulNBits", ops(onnx.load(os.path.join(out, "vision.onnx"))))
        out = os.path.join(self.dir, "i8")
        ovis2_export.main(["--from-fp32", FIXTURE, "--precision", "int8", "--vision-precision", "int8", "--out", out])
        m = self.manifest(out)
        self.assertEqual((m["precision"], m["vision_graph"]["precision"]), ("int8", "int8"))
        self.assertTrue(m["name"].endswith("-int8-vision-int8"))
        for g in ("vision.onnx", "decoder.onnx"):
            self.assertIn("MatMulNBits", ops(onnx.load(os.path.join(out, g))), g)

    def test_refused_combinations(self):
        with self.assertRaises(SystemExit) as e:
            ovis2_export.main(["--from-fp32", FIXTURE, "--precision", "fp16", "--vision-precision", "int8",
                               "--out", os.path.join(self.dir, "x")])
        self.assertIn("not fp16", str(e.exception))
        with self.assertRaises(SystemExit) as e:
            ovis2_export.main(["--from-fp32", FIXTURE, "--out", os.path.join(self.dir, "y")])
        self.assertIn("already fp32", str(e.exception))


if __name__ == "__main__":
    unittest.main()
