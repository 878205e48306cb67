"""A random model saved in the Ovis2 checkpoint layout loads back and exports to identical graphs."""
import os
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import checkpoint  # noqa: E402
import ovis2_export  # noqa: E402
import safetensors_io  # noqa: E402


class CheckpointRoundTrip(unittest.TestCase):

    def test_checkpoint_names_follow_the_reference(self):
        model = ovis2_export.build_random("tiny", 3)
        keys = set(model.state_dict())
        for k in ("visual_tokenizer.backbone.preprocessor.patchifier.proj.weight",
                  "visual_tokenizer.backbone.preprocessor.pos_embed",
                  "visual_tokenizer.backbone.trunk.blocks.0.mlp.fc1.weight",
                  "visual_tokenizer.backbone.trunk.blocks.1.attn.qkv.weight",
                  "visual_tokenizer.backbone.trunk.post_trunk_norm.weight",
                  "visual_tokenizer.head.0.weight", "visual_tokenizer.head.1.bias", "vte.weight",
                  "llm.model.embed_tokens.weight", "llm.model.layers.0.self_attn.q_proj.bias",
                  "llm.model.layers.1.mlp.down_proj.weight", "llm.model.norm.weight", "llm.lm_head.weight"):
            self.assertIn(k, keys)

    def test_saved_checkpoint_exports_identically(self):
        model = ovis2_export.build_random("tiny", 3)
        with tempfile.TemporaryDirectory() as tmp:
            checkpoint.save(model, os.path.join(tmp, "ckpt"))
            loaded = checkpoint.load(os.path.join(tmp, "ckpt"))
            self.assertEqual(loaded.config, model.config)
            for (n1, p1), (n2, p2) in zip(model.state_dict().items(), loaded.state_dict().items()):
                self.assertEqual(n1, n2)
                self.assertTrue(torch.equal(p1, p2), n1)
            a = ovis2_export.export(model, os.path.join(tmp, "a"), "fp32", "tiny", {"kind": "test"}, name="x")
            b = ovis2_export.export(loaded, os.path.join(tmp, "b"), "fp32", "tiny", {"kind": "test"}, name="x")
            self.assertEqual(a["files"], b["files"])

    def test_bf16_checkpoint_and_separately_stored_tied_head(self):
        model = ovis2_export.build_random("tiny", 4)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "ckpt")
            checkpoint.save(model, path, dtype="BF16")
            loaded = checkpoint.load(path)
            w = model.llm.model.embed_tokens.weight
            lw = loaded.llm.model.embed_tokens.weight
            self.assertLess(float((w - lw).abs().max()), float(w.abs().max()) / 128)
            self.assertIs(loaded.llm.lm_head.weight, loaded.llm.model.embed_tokens.weight)

    def test_mismatched_checkpoint_is_refused_by_name(self):
        model = ovis2_export.build_random("tiny", 5)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "ckpt")
            state = dict(model.state_dict())
            del state["vte.weight"]
            os.makedirs(path)
            checkpoint.save(model, path)
            safetensors_io.write(os.path.join(path, "model.safetensors"), {k: v.numpy() for k, v in state.items()})
            with self.assertRaises(SystemExit) as e:
                checkpoint.load(path)
            self.assertIn("vte.weight", str(e.exception))


class Sizes(unittest.TestCase):

    def test_published_dims(self):
        import modeling
        l = modeling.SIZES["1b"].llm
        self.assertEqual((l.hidden_size, l.num_layers, l.num_heads, l.num_kv_heads, l.head_dim, l.intermediate_size,
                          l.vocab_size), (896, 24, 14, 2, 64, 4864, 151936))
        v = modeling.SIZES["1b"].vision
        self.assertEqual((v.hidden_size, v.intermediate_size, v.num_layers, v.num_heads, v.head_dim,
                          v.visual_vocab_size, v.head_out), (1024, 2816, 24, 8, 128, 65536, 65531))
        self.assertEqual(modeling.SIZES["34b"].vision.hidden_size, 2048)
        self.assertFalse(modeling.SIZES["8b"].llm.tie_word_embeddings)


if __name__ == "__main__":
    unittest.main()
