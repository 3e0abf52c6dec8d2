#!/usr/bin/env python3
"""Validate heldout_blind5.jsonl and print counts per label and language."""
import json, re, sys, os
from collections import Counter

PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "heldout_blind5.jsonl")
LABELS = {"opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now", "trade_in",
          "credit_finance", "urgent_timeline", "price_payment", "appointment", "reschedule", "confirm",
          "vehicle_question", "service", "human_request", "positive", "other"}
CHANNELS = ["call", "email", "sms"]
LANGS = {"en", "es"}
DECOY_RE = re.compile(r"\b(stop\w*|cancel\w*|para|parar|paren|remov\w*|unsubscrib\w*)\b", re.I)
STOP_RE = re.compile(r"stop", re.I)

errors = []
rows = []
with open(PATH, encoding="utf-8") as f:
    for i, line in enumerate(f, 1):
        if not line.strip():
            errors.append(f"line {i}: blank line"); continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {i}: invalid JSON ({e})"); continue
        rows.append((i, r))

seen = {}
for i, r in rows:
    if not isinstance(r, dict):
        errors.append(f"line {i}: not an object"); continue
    allowed_keys = {"text", "labels", "lang", "kind", "revoked_channels"}
    extra = set(r) - allowed_keys
    if extra:
        errors.append(f"line {i}: unexpected keys {sorted(extra)}")
    for k in ("text", "labels", "lang", "kind"):
        if k not in r:
            errors.append(f"line {i}: missing {k}")
    text, labels = r.get("text"), r.get("labels")
    if not isinstance(text, str) or not text.strip():
        errors.append(f"line {i}: empty or non-string text")
    if not isinstance(r.get("kind"), str) or not r.get("kind", "").strip():
        errors.append(f"line {i}: empty kind")
    if r.get("lang") not in LANGS:
        errors.append(f"line {i}: bad lang {r.get('lang')!r}")
    if not isinstance(labels, list) or not labels:
        errors.append(f"line {i}: labels must be a non-empty list"); continue
    bad = [l for l in labels if l not in LABELS]
    if bad:
        errors.append(f"line {i}: unknown labels {bad}")
    if len(set(labels)) != len(labels):
        errors.append(f"line {i}: repeated label")
    if "other" in labels and len(labels) > 1:
        errors.append(f"line {i}: 'other' combined with {labels}")
    has_opt = "opt_out" in labels
    if has_opt:
        ch = r.get("revoked_channels")
        if not isinstance(ch, list) or not ch:
            errors.append(f"line {i}: opt_out row without non-empty revoked_channels")
        elif ch != sorted(set(ch)) or any(c not in CHANNELS for c in ch):
            errors.append(f"line {i}: revoked_channels must be a sorted subset of {CHANNELS}: {ch}")
    elif "revoked_channels" in r:
        errors.append(f"line {i}: revoked_channels on a non-opt_out row")
    if isinstance(text, str):
        key = " ".join(text.lower().split())
        if key in seen:
            errors.append(f"line {i}: duplicate text of line {seen[key]}: {text[:60]!r}")
        else:
            seen[key] = i

recs = [r for _, r in rows if isinstance(r, dict) and isinstance(r.get("labels"), list)]
lab = Counter(); lab_lang = Counter(); lang = Counter()
for r in recs:
    lang[r.get("lang")] += 1
    for l in r["labels"]:
        lab[l] += 1; lab_lang[(l, r.get("lang"))] += 1

print(f"file: {PATH}")
print(f"rows: {len(recs)}   en: {lang['en']}   es: {lang['es']}")
print(f"{'label':18s} {'total':>6s} {'en':>5s} {'es':>5s}")
for l in sorted(LABELS, key=lambda x: (-lab[x], x)):
    print(f"{l:18s} {lab[l]:6d} {lab_lang[(l,'en')]:5d} {lab_lang[(l,'es')]:5d}")

opt = [r for r in recs if "opt_out" in r["labels"]]
opt_es = sum(1 for r in opt if r.get("lang") == "es")
opt_nostop = sum(1 for r in opt if not STOP_RE.search(r["text"]))
decoys = [r for r in recs if "opt_out" not in r["labels"] and DECOY_RE.search(r["text"])]
decoy_kind = [r for r in recs if "opt_out" not in r["labels"] and r.get("kind", "").startswith("decoy")]
multi = sum(1 for r in recs if len(r["labels"]) > 1)
chan = Counter(tuple(r.get("revoked_channels", [])) for r in opt)
print()
print(f"opt_out: {len(opt)}  (es: {opt_es}, without 'stop': {opt_nostop})")
print("revoked_channels combos: " + ", ".join(f"{'+'.join(k)}={v}" for k, v in sorted(chan.items())))
print(f"decoys (non-opt_out rows containing stop/cancel/para/parar/remove/unsubscribe): {len(decoys)}; kind marked 'decoy': {len(decoy_kind)}")
print(f"multi-label rows: {multi} ({100*multi/max(1,len(recs)):.1f}%)")

if errors:
    print(f"\n{len(errors)} ERROR(S):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("\nOK: no errors")
