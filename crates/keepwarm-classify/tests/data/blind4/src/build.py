"""Assemble the hand-written rows in part_*.py into ../heldout_blind4.jsonl (shuffled, fixed seed)."""
import glob, importlib.util, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "heldout_blind4.jsonl")

rows = []
for path in sorted(glob.glob(os.path.join(HERE, "part_*.py"))):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for text, labels, lang, kind, chans in mod.ROWS:
        obj = {"text": text, "labels": labels.split(","), "lang": lang, "kind": kind}
        if chans:
            obj["revoked_channels"] = sorted(chans.split(","))
        rows.append(obj)

random.Random(20251205).shuffle(rows)
with open(OUT, "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(f"wrote {len(rows)} rows to {os.path.normpath(OUT)}")
