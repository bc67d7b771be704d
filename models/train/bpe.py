"""Byte-level BPE (GPT-2 style) in pure Python: training, encoding, and a tokenizer.json that transformers.js loads.

Python `tokenizers` is not packaged for Debian 12, so this is the training tokenizer. `tests/tokenizer.test.ts`
checks that the TypeScript side produces the same ids on fixtures.
"""
import json
from collections import Counter, defaultdict

import regex

PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
SPECIALS = ["<|endoftext|>", "<|pad|>"]


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}


def pretokenize(text):
    return ["".join(B2U[b] for b in piece.encode("utf-8")) for piece in PAT.findall(text)]


def train(texts, vocab_size):
    words = Counter()
    for t in texts:
        words.update(pretokenize(t))
    vocab = {s: i for i, s in enumerate(SPECIALS)}
    for ch in sorted(set(B2U.values())):
        vocab[ch] = len(vocab)
    seqs = {w: list(w) for w in words}
    pair_counts = Counter()
    where = defaultdict(set)
    for w, f in words.items():
        s = seqs[w]
        for a, b in zip(s, s[1:]):
            pair_counts[(a, b)] += f
            where[(a, b)].add(w)
    merges = []
    while len(vocab) < vocab_size and pair_counts:
        (a, b), c = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))
        if c < 2:
            break
        merges.append((a, b))
        new = a + b
        vocab[new] = len(vocab)
        for w in list(where[(a, b)]):
            s = seqs[w]
            f = words[w]
            for x, y in zip(s, s[1:]):
                pair_counts[(x, y)] -= f
                if pair_counts[(x, y)] <= 0:
                    del pair_counts[(x, y)]
            out = []
            i = 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(new)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
            for x, y in zip(out, out[1:]):
                pair_counts[(x, y)] += f
                where[(x, y)].add(w)
        del where[(a, b)]
    return vocab, merges


class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.inv = {i: s for s, i in vocab.items()}
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.merges = merges
        self.cache = {}

    @classmethod
    def load(cls, path):
        j = json.load(open(path))
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in j["model"]["merges"]]
        return cls(j["model"]["vocab"], merges)

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best = None
            for i, p in enumerate(zip(parts, parts[1:])):
                r = self.ranks.get(p)
                if r is not None and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            i = best[1]
            parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]
        ids = [self.vocab[p] for p in parts]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        ids = []
        for w in pretokenize(text):
            ids.extend(self._bpe(w))
        return ids

    def decode(self, ids):
        s = "".join(self.inv[i] for i in ids if self.inv[i] not in SPECIALS)
        return bytes(U2B[c] for c in s).decode("utf-8", errors="replace")

    def save(self, path):
        added = [
            {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for i, s in enumerate(SPECIALS)
        ]
        j = {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": self.vocab,
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }
        json.dump(j, open(path, "w"), ensure_ascii=False)
