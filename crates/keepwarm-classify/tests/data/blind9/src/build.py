"""Build heldout_blind9.jsonl from the hand-written tuples in part_*.py.
Each tuple: (text, labels space-separated, lang, kind, channels) where channels is
"" for non-opt-out rows, "all" for call+email+sms, or a space-separated subset."""
import glob, importlib.util, json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "heldout_blind9.jsonl")

def load():
    rows = []
    for path in sorted(glob.glob(os.path.join(HERE, "part_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for t in mod.ROWS:
            assert len(t) == 5, (path, t)
            text, labels, lang, kind, ch = t
            obj = {"text": text, "labels": labels.split(), "lang": lang, "kind": kind}
            if "opt_out" in obj["labels"]:
                chans = ["call", "email", "sms"] if ch == "all" else sorted(ch.split())
                obj["revoked_channels"] = chans
            else:
                assert ch == "", (path, text)
            rows.append(obj)
    return rows

def main():
    rows = load()
    random.Random(20261206).shuffle(rows)
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {os.path.normpath(OUT)}")

if __name__ == "__main__":
    main()
