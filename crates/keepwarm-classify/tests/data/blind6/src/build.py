"""Collects the hand-written rows in part_*.py and writes heldout_blind6.jsonl (shuffled, fixed seed).
No text is generated or combined here: every row is a literal tuple written by hand."""
import glob, importlib.util, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "heldout_blind6.jsonl")

rows = []
for path in sorted(glob.glob(os.path.join(HERE, "part_*.py"))):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for t in mod.ROWS:
        text, labels, kind, chans = t
        rec = {"text": text, "labels": [l.strip() for l in labels.split(",")], "lang": mod.LANG, "kind": kind}
        if chans:
            rec["revoked_channels"] = sorted(chans)
        rows.append(rec)

random.Random(20261206).shuffle(rows)
with open(OUT, "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"wrote {len(rows)} rows to {OUT}")
