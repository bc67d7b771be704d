"""Writes tests/fixtures/tokenizer-parity.json: texts and the ids the training tokenizer (bpe.py) gives them.
The TypeScript side must produce the same ids (tests/tokenizer.test.ts).

  /usr/bin/python3 models/train/tokenizer_fixtures.py --tokenizer models/policy/tokenizer.json
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bpe import Tokenizer  # noqa: E402

TEXTS = [
    "SELECT count(*) FROM singer WHERE age > 56",
    "WITH\n  s1 AS (\n    SELECT T1.name, T2.Singer_ID\n    FROM singer AS T1 JOIN singer_in_concert AS T2 ON T1.Singer_ID = T2.Singer_ID\n  )\nSELECT name\nFROM s1",
    "# head(head_ID int PK = 1 | 2, name text = Tiger Woods | Sergio García, age real = 67 | 68)\n-- How many heads are older than 56 ?\n",
    "SELECT 'It''s' || \"quoted\" , x >= -3.25 , [odd name] FROM t;\t\r\n  ",
    "Ünïcödé: 東京, emoji 🎵, tabs\tand   spaces",
    "",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default="models/policy/tokenizer.json")
    ap.add_argument("--data", default="models/data/train.jsonl")
    ap.add_argument("--out", default="tests/fixtures/tokenizer-parity.json")
    args = ap.parse_args()
    tok = Tokenizer.load(args.tokenizer)
    texts = list(TEXTS)
    if os.path.exists(args.data):
        rows = [json.loads(l) for _, l in zip(range(3), open(args.data))]
        texts += [r["prompt"] + r["target"] for r in rows]
    json.dump([{"text": t, "ids": tok.encode(t)} for t in texts], open(args.out, "w"), ensure_ascii=False)
    print(f"wrote {len(texts)} fixtures to {args.out}")


if __name__ == "__main__":
    main()
