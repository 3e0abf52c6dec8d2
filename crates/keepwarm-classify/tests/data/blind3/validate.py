"""Validate heldout_blind3.jsonl and print counts per label and language."""
import json, re, sys
from collections import Counter

PATH = sys.argv[1] if len(sys.argv) > 1 else "/work/blind3/heldout_blind3.jsonl"
LABELS = {"opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now", "trade_in",
          "credit_finance", "urgent_timeline", "price_payment", "appointment", "reschedule", "confirm",
          "vehicle_question", "service", "human_request", "positive", "other"}
CHANNELS = {"call", "email", "sms"}
DECOY = re.compile(r"\b(stop\w*|cancel\w*|para|parar|remov\w*)\b", re.I)

errors, seen = [], {}
rows = []
with open(PATH, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        try:
            o = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON ({e})"); continue
        rows.append(o)
        keys = set(o)
        allowed = {"text", "labels", "lang", "kind", "revoked_channels"}
        if not {"text", "labels", "lang", "kind"} <= keys or keys - allowed:
            errors.append(f"line {n}: keys {sorted(keys)}")
        if not isinstance(o.get("text"), str) or not o["text"].strip():
            errors.append(f"line {n}: empty text")
        if o.get("lang") not in ("en", "es"):
            errors.append(f"line {n}: lang {o.get('lang')!r}")
        labs = o.get("labels")
        if not isinstance(labs, list) or not labs:
            errors.append(f"line {n}: labels must be a non-empty list"); continue
        if len(set(labs)) != len(labs):
            errors.append(f"line {n}: repeated label")
        bad = set(labs) - LABELS
        if bad:
            errors.append(f"line {n}: unknown labels {sorted(bad)}")
        if "other" in labs and len(labs) > 1:
            errors.append(f"line {n}: 'other' combined with {labs}")
        rc = o.get("revoked_channels")
        if "opt_out" in labs:
            if not isinstance(rc, list) or not rc or set(rc) - CHANNELS or rc != sorted(set(rc)):
                errors.append(f"line {n}: opt_out needs sorted non-empty revoked_channels, got {rc!r}")
        elif "revoked_channels" in o:
            errors.append(f"line {n}: revoked_channels on a non-opt_out row")
        key = re.sub(r"\s+", " ", o.get("text", "")).strip().lower()
        if key in seen:
            errors.append(f"line {n}: duplicate text of line {seen[key]}")
        else:
            seen[key] = n

total = len(rows)
lang = Counter(o.get("lang") for o in rows)
print(f"rows: {total}   en: {lang['en']} ({lang['en']/max(total,1):.0%})   es: {lang['es']} ({lang['es']/max(total,1):.0%})")
print(f"\n{'label':18s} {'en':>5s} {'es':>5s} {'all':>5s}")
per = Counter((l, o["lang"]) for o in rows for l in o.get("labels", []))
for l in sorted(LABELS):
    print(f"{l:18s} {per[(l,'en')]:5d} {per[(l,'es')]:5d} {per[(l,'en')]+per[(l,'es')]:5d}")

opt = [o for o in rows if "opt_out" in o["labels"]]
opt_es = sum(o["lang"] == "es" for o in opt)
opt_nostop = sum(not re.search(r"stop", o["text"], re.I) for o in opt)
multi = sum(len(o["labels"]) > 1 for o in rows)
decoys = [o for o in rows if "opt_out" not in o["labels"] and DECOY.search(o["text"])]
chan = Counter(tuple(o["revoked_channels"]) for o in opt)
print(f"\nopt_out rows: {len(opt)}  (es: {opt_es}, without the word 'stop': {opt_nostop})")
print("revoked_channels:", ", ".join(f"{'+'.join(k)}={v}" for k, v in sorted(chan.items())))
print(f"multi-label rows: {multi} ({multi/max(total,1):.0%})")
print(f"non-opt-out rows containing stop/cancel/para/parar/remove: {len(decoys)}"
      f" (en {sum(o['lang']=='en' for o in decoys)}, es {sum(o['lang']=='es' for o in decoys)})")

checks = [("at least 600 rows", total >= 600), ("at least 100 opt-outs", len(opt) >= 100),
          ("at least 35 Spanish opt-outs", opt_es >= 35), ("at least 60 opt-outs without 'stop'", opt_nostop >= 60),
          ("at least 60 decoy rows", len(decoys) >= 60)]
for name, ok in checks:
    print(f"[{'ok' if ok else 'FAIL'}] {name}")
if errors:
    print(f"\n{len(errors)} error(s):"); print("\n".join(errors)); sys.exit(1)
print("\nno errors")
