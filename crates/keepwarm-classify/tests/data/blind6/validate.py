#!/usr/bin/env python3
"""Validate heldout_blind6.jsonl and print counts per label and language."""
import json, re, sys
from collections import Counter

PATH = sys.argv[1] if len(sys.argv) > 1 else "/work/blind6/heldout_blind6.jsonl"
LABELS = {"opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now", "trade_in",
          "credit_finance", "urgent_timeline", "price_payment", "appointment", "reschedule", "confirm",
          "vehicle_question", "service", "human_request", "positive", "other"}
CHANNELS = ["call", "email", "sms"]
errors = []
rows = []
with open(PATH, encoding="utf-8") as f:
    for i, line in enumerate(f, 1):
        if not line.strip():
            errors.append(f"line {i}: blank line"); continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {i}: bad JSON ({e})"); continue
        rows.append((i, r))
        if not isinstance(r.get("text"), str) or not r["text"].strip():
            errors.append(f"line {i}: empty or missing text")
        if r.get("lang") not in ("en", "es"):
            errors.append(f"line {i}: bad lang {r.get('lang')!r}")
        if not isinstance(r.get("kind"), str) or not r["kind"]:
            errors.append(f"line {i}: missing kind")
        labs = r.get("labels")
        if not isinstance(labs, list) or not labs:
            errors.append(f"line {i}: labels must be a non-empty list"); continue
        bad = [l for l in labs if l not in LABELS]
        if bad:
            errors.append(f"line {i}: unknown labels {bad}")
        if len(set(labs)) != len(labs):
            errors.append(f"line {i}: repeated label")
        if "other" in labs and len(labs) > 1:
            errors.append(f"line {i}: 'other' combined with {labs}")
        extra = set(r) - {"text", "labels", "lang", "kind", "revoked_channels"}
        if extra:
            errors.append(f"line {i}: unexpected keys {extra}")
        if "opt_out" in labs:
            ch = r.get("revoked_channels")
            if not isinstance(ch, list) or not ch:
                errors.append(f"line {i}: opt_out without revoked_channels")
            elif ch != sorted(set(ch)) or any(c not in CHANNELS for c in ch):
                errors.append(f"line {i}: revoked_channels must be a sorted subset of {CHANNELS}: {ch}")
        elif "revoked_channels" in r:
            errors.append(f"line {i}: revoked_channels on a non-opt_out row")

def norm(t):
    return re.sub(r"\s+", " ", t.strip().lower())
seen = {}
for i, r in rows:
    if not isinstance(r.get("text"), str):
        continue
    k = norm(r["text"])
    if k in seen:
        errors.append(f"line {i}: duplicate of line {seen[k]}: {r['text'][:60]!r}")
    else:
        seen[k] = i

recs = [r for _, r in rows]
n = len(recs)
lang = Counter(r.get("lang") for r in recs)
print(f"rows: {n}   en: {lang['en']} ({lang['en']/max(n,1):.0%})   es: {lang['es']} ({lang['es']/max(n,1):.0%})")
print(f"{'label':<18}{'en':>6}{'es':>6}{'total':>7}")
per = {l: Counter() for l in LABELS}
for r in recs:
    for l in r.get("labels", []):
        if l in per:
            per[l][r.get("lang")] += 1
order = ["opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now", "trade_in",
         "credit_finance", "urgent_timeline", "price_payment", "appointment", "reschedule", "confirm",
         "vehicle_question", "service", "human_request", "positive", "other"]
for l in order:
    c = per[l]
    print(f"{l:<18}{c['en']:>6}{c['es']:>6}{c['en']+c['es']:>7}")

opt = [r for r in recs if "opt_out" in r.get("labels", [])]
opt_es = sum(1 for r in opt if r.get("lang") == "es")
opt_nostop = sum(1 for r in opt if "stop" not in r["text"].lower())
multi = sum(1 for r in recs if len(r.get("labels", [])) > 1)
decoy = sum(1 for r in recs if "decoy" in r.get("kind", "").lower())
decoy_bad = [r["text"][:50] for r in recs if "decoy" in r.get("kind", "").lower() and "opt_out" in r["labels"]]
if decoy_bad:
    errors.append(f"decoy rows labelled opt_out: {decoy_bad}")
chan = Counter(tuple(r["revoked_channels"]) for r in opt if "revoked_channels" in r)
print(f"\nopt_out: {len(opt)} (es {opt_es}, without 'stop' {opt_nostop})")
print("revoked_channels:", dict(chan))
print(f"multi-label rows: {multi} ({multi/max(n,1):.0%})")
print(f"decoy rows (kind contains 'decoy'): {decoy}")
if errors:
    print(f"\n{len(errors)} ERROR(S):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("\nOK: no errors")
