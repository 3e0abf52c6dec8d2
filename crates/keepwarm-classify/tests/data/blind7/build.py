"""Collect hand-written rows from src/part_*.py and write heldout_blind7.jsonl (shuffled, fixed seed)."""
import glob, json, os, random, runpy

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []
for path in sorted(glob.glob(os.path.join(HERE, "src", "part_*.py"))):
    mod = runpy.run_path(path)
    lang = mod["LANG"]
    for t in mod["ROWS"]:
        text, labels, kind, chans = t
        obj = {"text": text, "labels": labels.split(), "lang": lang, "kind": kind}
        if "opt_out" in obj["labels"]:
            obj["revoked_channels"] = sorted(chans.split())
        elif chans:
            raise SystemExit(f"channels on non-opt_out row in {path}: {text[:60]!r}")
        rows.append(obj)
random.Random(7007).shuffle(rows)
with open(os.path.join(HERE, "heldout_blind7.jsonl"), "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(rows), "rows written")
