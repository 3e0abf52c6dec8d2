"""Collect the hand-written rows from src/part_*.py and write heldout_blind3.jsonl, shuffled with a fixed seed.
No text is generated or combined here: each row is copied as written."""
import glob, importlib.util, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "heldout_blind3.jsonl")

rows = []
for path in sorted(glob.glob(os.path.join(HERE, "part_*.py"))):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for r in mod.ROWS:
        text, labels, kind = r[0], r[1].split(), r[2]
        chans = r[3] if len(r) > 3 else None
        obj = {"text": text, "labels": labels, "lang": mod.LANG, "kind": kind}
        if chans:
            obj["revoked_channels"] = sorted(chans.split())
        rows.append(obj)

random.Random(20250303).shuffle(rows)
with open(OUT, "w", encoding="utf-8") as f:
    for o in rows:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
print(f"wrote {len(rows)} rows to {os.path.normpath(OUT)}")
