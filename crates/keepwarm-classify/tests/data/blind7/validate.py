"""Validate heldout_blind7.jsonl and print counts."""
import json, sys, os, collections

ALLOWED = {"opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now", "trade_in",
           "credit_finance", "urgent_timeline", "price_payment", "appointment", "reschedule", "confirm",
           "vehicle_question", "service", "human_request", "positive", "other"}
CHANNELS = ["call", "email", "sms"]
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "heldout_blind7.jsonl")
errors = []
seen = {}
per = collections.defaultdict(collections.Counter)
langs = collections.Counter()
multi = decoy = oo_nostop = oo_es = 0
rows = 0
with open(path, encoding="utf-8") as f:
    for i, line in enumerate(f, 1):
        try:
            r = json.loads(line)
        except Exception as e:
            errors.append(f"line {i}: bad JSON {e}"); continue
        rows += 1
        for k in ("text", "labels", "lang", "kind"):
            if k not in r: errors.append(f"line {i}: missing {k}")
        text, labels, lang = r.get("text", ""), r.get("labels", []), r.get("lang")
        if not isinstance(text, str) or not text.strip(): errors.append(f"line {i}: empty text")
        if lang not in ("en", "es"): errors.append(f"line {i}: bad lang {lang}")
        if not labels or not isinstance(labels, list): errors.append(f"line {i}: no labels")
        if len(set(labels)) != len(labels): errors.append(f"line {i}: repeated label")
        for l in labels:
            if l not in ALLOWED: errors.append(f"line {i}: bad label {l}")
        if "other" in labels and len(labels) > 1: errors.append(f"line {i}: other combined")
        if "opt_out" in labels:
            rc = r.get("revoked_channels")
            if not rc or not isinstance(rc, list) or rc != sorted(set(rc)) or any(c not in CHANNELS for c in rc):
                errors.append(f"line {i}: bad revoked_channels {rc}")
            if "stop" not in text.lower(): oo_nostop += 1
            if lang == "es": oo_es += 1
        elif "revoked_channels" in r:
            errors.append(f"line {i}: revoked_channels on non-opt_out row")
        key = " ".join(text.lower().split())
        if key in seen: errors.append(f"line {i}: duplicate of line {seen[key]}")
        else: seen[key] = i
        langs[lang] += 1
        for l in labels: per[l][lang] += 1
        if len(labels) > 1: multi += 1
        if "decoy" in r.get("kind", ""): decoy += 1
print(f"rows: {rows}")
print("languages:", dict(langs))
print(f"{'label':18s} {'en':>5s} {'es':>5s} {'all':>5s}")
for l in sorted(ALLOWED):
    print(f"{l:18s} {per[l]['en']:5d} {per[l]['es']:5d} {per[l]['en']+per[l]['es']:5d}")
print(f"multi-label rows: {multi} ({multi/max(rows,1):.0%})")
print(f"decoy rows (kind contains 'decoy'): {decoy}")
print(f"opt_out rows without 'stop': {oo_nostop}; Spanish opt_out rows: {oo_es}")
if errors:
    print(f"{len(errors)} ERRORS"); [print(" ", e) for e in errors[:50]]; sys.exit(1)
print("OK: no errors")
