#!/usr/bin/env python3
"""Collect the hand-written rows in src/part_*.py and write heldout_blind5.jsonl, shuffled with a fixed seed.
No text is generated or combined here; each tuple is one hand-written reply."""
import glob, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []
for path in sorted(glob.glob(os.path.join(HERE, "src", "part_*.py"))):
    ns = {}
    exec(open(path, encoding="utf-8").read(), ns)
    for t in ns["ROWS"]:
        text, labels, lang, kind = t[:4]
        chans = t[4] if len(t) > 4 else None
        obj = {"text": text, "labels": list(labels), "lang": lang, "kind": kind}
        if chans:
            obj["revoked_channels"] = sorted(chans)
        rows.append(obj)

random.Random(20261205).shuffle(rows)
with open(os.path.join(HERE, "heldout_blind5.jsonl"), "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"wrote {len(rows)} rows")
