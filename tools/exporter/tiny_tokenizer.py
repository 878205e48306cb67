"""A small byte-level BPE tokenizer in Hugging Face `tokenizer.json` format, for the tiny fixture.

It has the structure of Qwen2.5's tokenizer (NFC, the same Split regex, ByteLevel, BPE, the three
chat special tokens as added tokens) with a vocabulary of a few hundred entries, so the tiny text
embedding table stays small while Java loads it through exactly the code path of the real one.
`encode` re-implements the tokenizer for ASCII text (enough for the reference prompts); the Java
tests check it against the Hugging Face tokenizers library.
"""
import collections
import json
import re

QWEN_SPLIT_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
                    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
# The same pattern for ASCII input, in Python's `re` dialect (no \p classes).
_ASCII_SPLIT = re.compile(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]|"
                          r" ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CORPUS = """
You are a helpful assistant. Describe the image. What is in this picture? Compare these three images.
Image 1: Image 2: Image 3: The photo shows a red house, a blue sky, green hills and a yellow sun.
A cat is sitting on the table. There are two people walking along the beach at sunset.
Read the text on the receipt. How many cars are parked in the street? The answer is 42.
user assistant system Please answer the question using a single word or phrase.
"""


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map used by ByteLevel."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_MAP = bytes_to_unicode()


def _words(text):
    return ["".join(BYTE_MAP[b] for b in piece.encode("utf-8")) for piece in _ASCII_SPLIT.findall(text)]


def train(num_merges):
    """Deterministic BPE training on CORPUS: most frequent pair, ties broken by the pair's text."""
    counts = collections.Counter(_words(CORPUS))
    words = {w: list(w) for w in counts}
    merges = []
    for _ in range(num_merges):
        pairs = collections.Counter()
        for w, syms in words.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] += counts[w]
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        for w, syms in words.items():
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == best:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            words[w] = out
    return merges


class TinyTokenizer:
    def __init__(self, num_merges=200):
        self.merges = train(num_merges)
        self.vocab = {}
        for b in range(256):
            self.vocab[BYTE_MAP[b]] = b
        for a, b in self.merges:
            self.vocab.setdefault(a + b, len(self.vocab))
        self.special_ids = {}
        for s in SPECIALS:
            self.special_ids[s] = len(self.vocab)
            self.vocab[s] = self.special_ids[s]
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.inverse = {v: k for k, v in self.vocab.items()}

    @property
    def size(self):
        return len(self.vocab)

    def _bpe(self, word):
        syms = list(word)
        while len(syms) > 1:
            ranked = [(self.ranks.get((a, b), None), i) for i, (a, b) in enumerate(zip(syms, syms[1:]))]
            ranked = [r for r in ranked if r[0] is not None]
            if not ranked:
                break
            _, i = min(ranked)
            syms = syms[:i] + [syms[i] + syms[i + 1]] + syms[i + 2:]
        return [self.vocab[s] for s in syms]

    def encode(self, text):
        """Token ids of `text` (ASCII only; special tokens are matched atomically first)."""
        if not text.isascii():
            raise ValueError("the tiny tokenizer's Python encoder handles ASCII text only")
        ids = []
        pattern = "(" + "|".join(re.escape(s) for s in SPECIALS) + ")"
        for part in re.split(pattern, text):
            if part in self.special_ids:
                ids.append(self.special_ids[part])
            elif part:
                for w in _words(part):
                    ids.extend(self._bpe(w))
        return ids

    def decode(self, ids):
        rev = {c: b for b, c in BYTE_MAP.items()}
        out = bytearray()
        for i in ids:
            tok = self.inverse.get(i)
            if tok is None or tok in self.special_ids:
                continue
            out.extend(rev[c] for c in tok)
        return out.decode("utf-8", errors="replace")

    def to_json(self):
        byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
        added = [{"id": self.special_ids[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for s in SPECIALS]
        doc = {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": {"type": "NFC"},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": QWEN_SPLIT_REGEX}, "behavior": "Isolated", "invert": False},
                byte_level]},
            "post_processor": byte_level, "decoder": byte_level,
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": {k: v for k, v in self.vocab.items() if k not in self.special_ids},
                      "merges": [a + " " + b for a, b in self.merges]},
        }
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
