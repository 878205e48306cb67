"""Synthetic checkpoints in both layouts (sharded, bf16) load into the same model, export to the same
graphs, and every kind of mismatch is refused through the real --checkpoint command line by name."""
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import checkpoint  # noqa: E402
import layouts  # noqa: E402
import modeling  # noqa: E402
import ovis2_export  # noqa: E402
import safetensors_io  # noqa: E402
import synthetic_checkpoint  # noqa: E402


def bf16(t):
    """float32 -> nearest bf16 -> float32, as a bf16 checkpoint stores it."""
    raw = np.frombuffer(safetensors_io.to_dtype_bytes(t.numpy(), "BF16"), dtype="<u2")
    return torch.from_numpy((raw.astype(np.uint32) << 16).view(np.float32).reshape(t.shape))


def write(model, path, layout, dtype="BF16", shards=3):
    checkpoint.save(model, path, dtype, layout, shards)
    synthetic_checkpoint.write_text_files(path, layout)


def export_cli(ckpt, out):
    """Runs the exporter's command line; -> (exit message or None, stdout)."""
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            ovis2_export.main(["--checkpoint", ckpt, "--out", out])
    except SystemExit as e:
        return str(e), buf.getvalue()
    return None, buf.getvalue()


def edit_shard(ckpt, name, change):
    """Rewrites the shard holding `name` with change(arrays) applied; keeps the index in step."""
    index = os.path.join(ckpt, checkpoint.INDEX)
    with open(index) as f:
        meta = json.load(f)
    shard = meta["weight_map"][name]
    stored = safetensors_io.read_header(os.path.join(ckpt, shard))
    arrays = {n: safetensors_io.read_float32(s) for n, s in stored.items()}
    change(arrays)
    safetensors_io.write(os.path.join(ckpt, shard), arrays, "BF16")
    meta["weight_map"] = {n: f for n, f in meta["weight_map"].items() if f != shard or n in arrays}
    meta["weight_map"].update({n: shard for n in arrays})
    with open(index, "w") as f:
        json.dump(meta, f)


class BothLayouts(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.model = modeling.random_init(modeling.Ovis2(modeling.SIZES["tiny"]), 11).eval()
        for layout in layouts.LAYOUTS:
            write(cls.model, os.path.join(cls.tmp, layout), layout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def copy(self, layout):
        dst = tempfile.mkdtemp(dir=self.tmp)
        shutil.rmtree(dst)
        shutil.copytree(os.path.join(self.tmp, layout), dst)
        return dst

    def test_each_layout_loads_every_weight_as_stored(self):
        expected = {k: bf16(v) for k, v in self.model.state_dict().items()}
        for layout in layouts.LAYOUTS:
            with self.subTest(layout=layout):
                loaded, got = checkpoint.load_with_layout(os.path.join(self.tmp, layout))
                self.assertEqual(got, layout)
                self.assertEqual(loaded.config, self.model.config)
                for k, v in loaded.state_dict().items():
                    self.assertTrue(torch.equal(v, expected[k]), f"{layout}: {k}")
                self.assertIs(loaded.llm.lm_head.weight, loaded.llm.model.embed_tokens.weight)

    def test_both_layouts_export_identical_model_directories(self):
        files = {}
        for layout in layouts.LAYOUTS:
            err, out = export_cli(os.path.join(self.tmp, layout), os.path.join(self.tmp, "export-" + layout))
            self.assertIsNone(err)
            self.assertIn(f"{layout} layout", out)
            with open(os.path.join(self.tmp, "export-" + layout, "model.json")) as f:
                manifest = json.load(f)
            self.assertEqual(manifest["source"]["layout"], layout)
            files[layout] = {e["path"]: e["sha256"] for e in manifest["files"]}
        self.assertEqual(files[layouts.ORIGINAL], files[layouts.HF])

    def test_fp16_and_fp32_single_file_checkpoints_load(self):
        for dtype, tolerance in (("F16", 1e-2), ("F32", 0.0)):
            path = os.path.join(self.tmp, "single-" + dtype)
            checkpoint.save(self.model, path, dtype, layouts.HF, shards=1)
            self.assertEqual(sorted(os.listdir(path)), ["config.json", "model.safetensors"])
            loaded = checkpoint.load(path)
            a, b = self.model.vte.weight, loaded.vte.weight
            self.assertLessEqual(float((a - b).abs().max()), tolerance * float(a.abs().max()))

    def test_a_wrong_shape_is_refused_with_name_shape_and_expectation(self):
        ckpt = self.copy(layouts.HF)
        name = "model.vision_tower.transformer.encoder.layers.1.attention.k_proj.weight"
        edit_shard(ckpt, name, lambda a: a.__setitem__(name, a[name][:16]))
        err, _ = export_cli(ckpt, os.path.join(ckpt, "out"))
        self.assertIn(f"{name} in model-", err)
        self.assertIn("has shape [16, 32], expected [32, 32]", err)
        self.assertFalse(os.path.exists(os.path.join(ckpt, "out", "model.json")))

    def test_a_missing_tensor_is_refused_by_name(self):
        ckpt = self.copy(layouts.ORIGINAL)
        name = "llm.model.layers.1.self_attn.v_proj.bias"
        edit_shard(ckpt, name, lambda a: a.pop(name))
        err, _ = export_cli(ckpt, os.path.join(ckpt, "out"))
        self.assertIn(f"missing tensor {name}: expected shape [32]", err)

    def test_an_unknown_tensor_and_a_foreign_layout_are_refused_by_name(self):
        ckpt = self.copy(layouts.ORIGINAL)
        name = "llm.model.layers.0.self_attn.rotary_emb.inv_freq"
        edit_shard(ckpt, "vte.weight", lambda a: a.__setitem__(name, np.ones(8, np.float32)))
        err, _ = export_cli(ckpt, os.path.join(ckpt, "out"))
        self.assertIn(f"unexpected tensor {name} [8] BF16", err)
        # original-layout config over transformers-layout tensors
        ckpt = self.copy(layouts.HF)
        shutil.copy(os.path.join(self.tmp, layouts.ORIGINAL, "config.json"), os.path.join(ckpt, "config.json"))
        err, _ = export_cli(ckpt, os.path.join(ckpt, "out"))
        self.assertIn("config.json describes the original layout but all 53 tensors are named as in the hf layout "
                      "(e.g. model.language_model.embed_tokens.weight, where original has llm.model.embed_tokens.weight)",
                      err)

    def test_an_unsupported_dtype_and_a_wrong_index_are_refused_by_name(self):
        ckpt = self.copy(layouts.HF)
        path = os.path.join(ckpt, "model.safetensors")
        for f in os.listdir(ckpt):
            if f.endswith(".safetensors"):
                os.remove(os.path.join(ckpt, f))
        os.remove(os.path.join(ckpt, checkpoint.INDEX))
        state = {t.name: self.model.state_dict()[t.target][t.index].numpy()
                 for t in layouts.tensors(self.model.config, layouts.HF) if not layouts.optional(t, layouts.HF)}
        safetensors_io.write(path, state, "F32")
        header = safetensors_io.read_header(path)
        with open(path, "r+b") as f:  # relabel one F32 tensor as I32 (same width, so offsets stay valid)
            n = int.from_bytes(f.read(8), "little")
            h = json.loads(f.read(n))
            h["model.vision_tower.head_norm.bias"]["dtype"] = "I32"
            data = json.dumps(h, separators=(",", ":")).encode().ljust(n)
            f.seek(8)
            f.write(data)
        self.assertIn("model.vision_tower.head_norm.bias", header)
        err, _ = export_cli(ckpt, os.path.join(ckpt, "out"))
        self.assertIn("model.vision_tower.head_norm.bias in model.safetensors has dtype I32", err)
        ckpt = self.copy(layouts.ORIGINAL)
        with open(os.path.join(ckpt, checkpoint.INDEX)) as f:
            meta = json.load(f)
        meta["weight_map"]["vte.weight"] = "model-00001-of-00003.safetensors" \
            if meta["weight_map"]["vte.weight"] != "model-00001-of-00003.safetensors" else "model-00002-of-00003.safetensors"
        with open(os.path.join(ckpt, checkpoint.INDEX), "w") as f:
            json.dump(meta, f)
        err, _ = export_cli(ckpt, os.path.join(ckpt, "out"))
        self.assertIn("vte.weight [1024, 64] is in model-", err)

    def test_text_side_comes_from_the_checkpoint_files(self):
        out = os.path.join(self.tmp, "export-" + layouts.HF)
        if not os.path.exists(os.path.join(out, "model.json")):
            self.assertIsNone(export_cli(os.path.join(self.tmp, layouts.HF), out)[0])
        with open(os.path.join(out, "model.json")) as f:
            m = json.load(f)
        self.assertEqual(m["tokenizer"]["kind"], "checkpoint")
        self.assertEqual(m["stop_ids"], [452, 450])
        self.assertEqual(m["generation"]["eos_token_ids"], [452, 450])
        self.assertEqual((m["generation"]["temperature"], m["generation"]["top_k"]), (0.7, 20))
        self.assertEqual(m["chat_template"]["source"], "tokenizer_config.json")
        self.assertIn("You are a helpful assistant.", m["chat_template"]["template"])
        # without generation_config.json: the reference pair, and no generation object
        ckpt = self.copy(layouts.HF)
        os.remove(os.path.join(ckpt, "generation_config.json"))
        with open(os.path.join(ckpt, "tokenizer_config.json"), "w") as f:
            json.dump({"pad_token": "<|im_start|>"}, f)
        self.assertIsNone(export_cli(ckpt, os.path.join(ckpt, "out"))[0])
        with open(os.path.join(ckpt, "out", "model.json")) as f:
            m = json.load(f)
        self.assertEqual(m["stop_ids"], [452, 450])
        self.assertEqual(m["special_ids"]["pad"], 451)
        self.assertNotIn("generation", m)
        self.assertNotIn("chat_template", m)


if __name__ == "__main__":
    unittest.main()
