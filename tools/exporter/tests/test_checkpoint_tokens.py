"""The text side of a checkpoint directory: eos ids, generation defaults, chat template, pad token."""
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import checkpoint_tokens  # noqa: E402

QWEN = {"endoftext": 151643, "im_start": 151644, "im_end": 151645, "pad": 151643}


class CheckpointTokens(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def put(self, name, content):
        with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))

    def test_the_published_generation_config_gives_the_reference_stop_ids(self):
        shutil.copy(os.path.join(HERE, "data", "ovis2-4b-generation_config.json"),
                    os.path.join(self.dir, "generation_config.json"))
        gen = checkpoint_tokens.generation(self.dir, 151936)
        self.assertEqual(gen["eos_token_ids"], [151645, 151643])
        self.assertEqual((gen["pad_token_id"], gen["temperature"], gen["top_p"], gen["top_k"], gen["repetition_penalty"]),
                         (151643, 0.7, 0.8, 20, 1.05))
        self.assertNotIn("multimodal_max_length", gen)
        self.assertEqual(checkpoint_tokens.stop_ids(gen, QWEN), [151645, 151643])

    def test_a_single_eos_id_gets_im_end_added_and_no_file_gives_the_reference_pair(self):
        self.put("generation_config.json", {"eos_token_id": 151643})
        gen = checkpoint_tokens.generation(self.dir, 151936)
        self.assertEqual(checkpoint_tokens.stop_ids(gen, QWEN), [151643, 151645])
        os.remove(os.path.join(self.dir, "generation_config.json"))
        self.assertIsNone(checkpoint_tokens.generation(self.dir, 151936))
        self.assertEqual(checkpoint_tokens.stop_ids(None, QWEN), [151645, 151643])

    def test_ids_outside_the_vocabulary_or_not_ids_are_refused_by_key(self):
        self.put("generation_config.json", {"eos_token_id": [151645, 152000]})
        with self.assertRaises(SystemExit) as e:
            checkpoint_tokens.generation(self.dir, 151936)
        self.assertIn("eos_token_id 152000 is outside the vocabulary", str(e.exception))
        self.put("generation_config.json", {"eos_token_id": "<|im_end|>"})
        with self.assertRaises(SystemExit) as e:
            checkpoint_tokens.generation(self.dir, 151936)
        self.assertIn("eos_token_id '<|im_end|>' is not a token id", str(e.exception))

    def test_chat_template_sources_in_precedence_order(self):
        self.assertIsNone(checkpoint_tokens.chat_template(self.dir))
        self.put("tokenizer_config.json", {"chat_template": [{"name": "tool_use", "template": "T"},
                                                             {"name": "default", "template": "D"}]})
        self.assertEqual(checkpoint_tokens.chat_template(self.dir), {"source": "tokenizer_config.json", "template": "D"})
        self.put("chat_template.json", {"chat_template": "J"})
        self.assertEqual(checkpoint_tokens.chat_template(self.dir)["source"], "chat_template.json")
        self.put("chat_template.jinja", "K")
        self.assertEqual(checkpoint_tokens.chat_template(self.dir), {"source": "chat_template.jinja", "template": "K"})

    def test_pad_token_resolves_through_the_tokenizer(self):
        added = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
        self.assertEqual(checkpoint_tokens.pad_id(self.dir, added, QWEN), 151643)
        self.put("tokenizer_config.json", {"pad_token": {"content": "<|im_end|>"}})
        self.assertEqual(checkpoint_tokens.pad_id(self.dir, added, QWEN), 151645)
        self.put("tokenizer_config.json", {"pad_token": "<pad>"})
        with self.assertRaises(SystemExit) as e:
            checkpoint_tokens.pad_id(self.dir, added, QWEN)
        self.assertIn("pad_token '<pad>' is not a token of tokenizer.json", str(e.exception))


if __name__ == "__main__":
    unittest.main()
