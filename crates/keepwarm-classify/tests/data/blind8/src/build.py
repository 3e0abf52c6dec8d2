"""Collect the hand-written rows from part_*.py and write the shuffled JSONL (fixed seed)."""
import glob, importlib.util, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "heldout_blind8.jsonl")

rows = []
for path in sorted(glob.glob(os.path.join(HERE, "part_*.py"))):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for t in mod.ROWS:
        text, labels, lang, kind, chans = t
        obj = {"text": text, "labels": list(labels), "lang": lang, "kind": kind}
        if chans is not None:
            obj["revoked_channels"] = sorted(chans)
        rows.append(obj)

random.Random(20260806).shuffle(rows)
with open(OUT, "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"wrote {len(rows)} rows to {OUT}")
