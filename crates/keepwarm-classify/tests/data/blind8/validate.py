"""Validate heldout_blind8.jsonl and print counts per label and language."""
import collections, json, os, re, sys

PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "heldout_blind8.jsonl")
ALLOWED = {"opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now", "trade_in",
           "credit_finance", "urgent_timeline", "price_payment", "appointment", "reschedule", "confirm",
           "vehicle_question", "service", "human_request", "positive", "other"}
CHANNELS = ["call", "email", "sms"]
DECOY_RE = re.compile(r"\b(stop\w*|cancel\w*|para|parar|paro|paré|pare|paren|remov\w*|quit\w*|unsubscrib\w*)\b", re.I)
STOP_RE = re.compile(r"\bstop\b", re.I)

errors = []
seen = {}
rows = []
with open(PATH, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.rstrip("\n")
        if not line.strip():
            errors.append(f"line {n}: blank line")
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: invalid JSON ({e})")
            continue
        rows.append(r)
        keys = set(r)
        need = {"text", "labels", "lang", "kind"}
        if not need <= keys:
            errors.append(f"line {n}: missing keys {need - keys}")
            continue
        extra = keys - need - {"revoked_channels"}
        if extra:
            errors.append(f"line {n}: unexpected keys {extra}")
        if not isinstance(r["text"], str) or not r["text"].strip():
            errors.append(f"line {n}: empty text")
        labels = r["labels"]
        if not isinstance(labels, list) or not labels:
            errors.append(f"line {n}: labels must be a non-empty list")
            continue
        bad = [l for l in labels if l not in ALLOWED]
        if bad:
            errors.append(f"line {n}: unknown labels {bad}")
        if len(set(labels)) != len(labels):
            errors.append(f"line {n}: repeated label")
        if "other" in labels and len(labels) > 1:
            errors.append(f"line {n}: 'other' combined with {labels}")
        if r["lang"] not in ("en", "es"):
            errors.append(f"line {n}: bad lang {r['lang']!r}")
        has_oo = "opt_out" in labels
        rc = r.get("revoked_channels")
        if has_oo:
            if rc is None:
                errors.append(f"line {n}: opt_out without revoked_channels")
            elif (not isinstance(rc, list) or not rc or rc != sorted(set(rc))
                  or any(c not in CHANNELS for c in rc)):
                errors.append(f"line {n}: revoked_channels must be a sorted non-empty subset of {CHANNELS}: {rc}")
        elif rc is not None:
            errors.append(f"line {n}: revoked_channels on a non-opt_out row")
        key = " ".join(r["text"].lower().split())
        if key in seen:
            errors.append(f"line {n}: duplicate text of line {seen[key]}")
        else:
            seen[key] = n

by = collections.defaultdict(collections.Counter)
langs = collections.Counter()
for r in rows:
    langs[r["lang"]] += 1
    for l in r.get("labels", []):
        by[l][r["lang"]] += 1

print(f"rows: {len(rows)}   en: {langs['en']} ({langs['en']/max(len(rows),1):.0%})   es: {langs['es']}")
print(f"{'label':18s} {'en':>5s} {'es':>5s} {'total':>6s}")
for l in sorted(ALLOWED, key=lambda x: -sum(by[x].values())):
    print(f"{l:18s} {by[l]['en']:5d} {by[l]['es']:5d} {sum(by[l].values()):6d}")

oo = [r for r in rows if "opt_out" in r.get("labels", [])]
multi = sum(1 for r in rows if len(r.get("labels", [])) > 1)
decoys = [r for r in rows if "opt_out" not in r.get("labels", []) and DECOY_RE.search(r["text"])]
chan = collections.Counter(tuple(r.get("revoked_channels", [])) for r in oo)
print()
print(f"opt_out total {len(oo)}; es {sum(r['lang']=='es' for r in oo)}; without the word 'stop' {sum(not STOP_RE.search(r['text']) for r in oo)}")
print("revoked_channels:", dict(chan))
print(f"multi-label rows: {multi} ({multi/max(len(rows),1):.0%})")
print(f"decoys (non-opt-out rows containing stop/cancel/para/parar/remove/quit/unsubscribe forms): {len(decoys)}")

if errors:
    print(f"\n{len(errors)} ERROR(S):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("\nOK: no errors")
