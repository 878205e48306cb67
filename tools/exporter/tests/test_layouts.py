"""The name-and-shape table (layouts.py) against public facts about real Ovis2 checkpoints."""
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import checkpoint_config  # noqa: E402
import layouts  # noqa: E402
import modeling  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PUBLISHED = ("1b", "2b", "4b", "8b", "16b", "34b")

# The name correspondences of transformers' convert_ovis2_weights_to_hf.py (its ORIGINAL_TO_HF_MAPPING,
# plus its special cases: the fused qkv split into q/k/v row blocks, pos_embed stored without its batch
# axis), restated here as plain substring replacements so that the table in layouts.py, which builds the
# transformers names structurally, is checked against an independent statement of the same facts.
RENAMES = [
    ("visual_tokenizer.backbone.", "model.vision_tower.transformer."),
    ("visual_tokenizer.head.0.", "model.vision_tower.head_linear."),
    ("visual_tokenizer.head.1.", "model.vision_tower.head_norm."),
    ("preprocessor.patchifier.proj.", "embeddings.patch_embedding."),
    ("preprocessor.patchifier.norm.", "embeddings.rms_norm."),
    ("preprocessor.pos_embed", "embeddings.position_embedding.weight"),
    ("trunk.post_trunk_norm.", "rms_norm."),
    ("trunk.blocks.", "encoder.layers."),
    (".norm_1.", ".rms_norm1."),
    (".norm_2.", ".rms_norm2."),
    (".attn.proj.", ".attention.out_proj."),
    (".mlp.fc1.", ".ffn.gate_proj."),
    (".mlp.fc2.", ".ffn.down_proj."),
    (".mlp.fc3.", ".ffn.up_proj."),
    ("vte.weight", "model.visual_embeddings_table.weight"),
    ("llm.model.", "model.language_model."),
    ("llm.lm_head.", "lm_head."),
]


def converted(name):
    for old, new in RENAMES:
        name = name.replace(old, new)
    if ".attn.qkv." in name:
        return [name.replace(".attn.qkv.", f".attention.{p}_proj.") for p in ("q", "k", "v")]
    return [name]


def names(size, layout, with_optional=True):
    return [t.name for t in layouts.tensors(modeling.SIZES[size], layout)
            if with_optional or not layouts.optional(t, layout)]


class PublishedCheckpoints(unittest.TestCase):

    def test_4b_original_names_and_bytes_equal_the_published_index(self):
        with open(os.path.join(HERE, "data", "ovis2-4b-original-names.txt")) as f:
            lines = f.read().splitlines()
        total = int(re.search(r"total_size (\d+)", "".join(l for l in lines if l.startswith("#"))).group(1))
        published = [l for l in lines if l and not l.startswith("#")]
        self.assertEqual(sorted(names("4b", layouts.ORIGINAL)), published)
        count, _, bf16_bytes = layouts.summary(modeling.SIZES["4b"], layouts.ORIGINAL)
        self.assertEqual((count, bf16_bytes), (612, total))

    def test_2b_bf16_size_matches_the_published_repository(self):
        # ovis2.md §1: Ovis2-2B is 4.91 GB of bf16 safetensors, tied lm_head stored separately
        _, _, nbytes = layouts.summary(modeling.SIZES["2b"], layouts.ORIGINAL)
        self.assertEqual(round(nbytes / 1e9, 2), 4.91)

    def test_4b_config_json_reads_as_the_4b_size(self):
        with open(os.path.join(HERE, "data", "ovis2-4b-config.json")) as f:
            config, layout = checkpoint_config.from_json(json.load(f))
        self.assertEqual(layout, layouts.ORIGINAL)
        self.assertEqual(config, modeling.SIZES["4b"])

    def test_transformers_names_are_the_conversion_of_the_original_names(self):
        for size in PUBLISHED:
            with self.subTest(size=size):
                expected = [n for o in names(size, layouts.ORIGINAL) for n in converted(o)]
                hf = names(size, layouts.HF)
                self.assertEqual(sorted(hf), sorted(expected))

    def test_transformers_save_drops_only_a_tied_head(self):
        for size in PUBLISHED:
            tied = modeling.SIZES[size].llm.tie_word_embeddings
            required = names(size, layouts.HF, with_optional=False)
            self.assertEqual("lm_head.weight" in required, not tied, size)
            self.assertIn("llm.lm_head.weight", names(size, layouts.ORIGINAL, with_optional=False))

    def test_qkv_rows_and_position_table_map_onto_the_original_tensors(self):
        c = modeling.SIZES["1b"]
        hf = {t.name: t for t in layouts.tensors(c, layouts.HF)}
        d = c.vision.hidden_size
        prefix = "model.vision_tower.transformer.encoder.layers.3.attention."
        for k, part in enumerate("qkv"):
            t = hf[prefix + f"{part}_proj.weight"]
            self.assertEqual((t.target, t.index, t.shape),
                             ("visual_tokenizer.backbone.trunk.blocks.3.attn.qkv.weight", (slice(k * d, (k + 1) * d),), (d, d)))
        pos = hf["model.vision_tower.transformer.embeddings.position_embedding.weight"]
        self.assertEqual((pos.target, pos.index, pos.shape), ("visual_tokenizer.backbone.preprocessor.pos_embed", (0,), (1024, d)))


class TransformersConfig(unittest.TestCase):

    def test_a_diff_only_config_reads_with_the_class_defaults(self):
        # transformers writes only the fields that differ from the class defaults
        for size in ("1b", "2b", "8b"):
            full = checkpoint_config.to_json(modeling.SIZES[size], layouts.HF)
            full["vision_config"] = {k: v for k, v in full["vision_config"].items()
                                     if checkpoint_config.HF_VISION_DEFAULTS.get(k, object()) != v}
            full["text_config"] = {k: v for k, v in full["text_config"].items()
                                   if checkpoint_config.QWEN2_DEFAULTS.get(k, object()) != v}
            config, layout = checkpoint_config.from_json(full)
            self.assertEqual((layout, config), (layouts.HF, modeling.SIZES[size]), size)

    def test_both_layouts_round_trip_through_config_json(self):
        for size in PUBLISHED:
            for layout in layouts.LAYOUTS:
                config, got = checkpoint_config.from_json(checkpoint_config.to_json(modeling.SIZES[size], layout))
                self.assertEqual((got, config), (layout, modeling.SIZES[size]))

    def test_unknown_and_unsupported_configs_are_refused_by_field(self):
        with self.assertRaises(SystemExit) as e:
            checkpoint_config.from_json({"model_type": "llava", "text_config": {}})
        self.assertIn("text_config", str(e.exception))
        cfg = checkpoint_config.to_json(modeling.SIZES["tiny"], layouts.HF)
        cfg["vision_config"]["tokenize_function"] = "gumbel_argmax"
        with self.assertRaises(SystemExit) as e:
            checkpoint_config.from_json(cfg)
        self.assertIn("tokenize_function=gumbel_argmax", str(e.exception))


class DocsTable(unittest.TestCase):

    def test_docs_exporter_md_carries_the_generated_table(self):
        with open(os.path.join(REPO, "docs", "exporter.md"), encoding="utf-8") as f:
            docs = f.read()
        self.assertTrue(layouts.markdown_table() in docs, "docs/exporter.md lacks the current table; regenerate it "
                        "with: /usr/bin/python3 tools/exporter/layouts.py --markdown")


if __name__ == "__main__":
    unittest.main()
