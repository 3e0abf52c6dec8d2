"""Validate heldout_blind4.jsonl and print counts per label and language."""
import collections, json, re, sys

PATH = sys.argv[1] if len(sys.argv) > 1 else "/work/blind4/heldout_blind4.jsonl"
LABELS = {"opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now",
          "trade_in", "credit_finance", "urgent_timeline", "price_payment", "appointment",
          "reschedule", "confirm", "vehicle_question", "service", "human_request",
          "positive", "other"}
CHANNELS = ["call", "email", "sms"]
DECOY_RE = re.compile(r"\b(stop\w*|cancel\w*|para|parar|par[oóe]\w*|pares|paremos|remov\w*|remuév\w*)\b", re.I)

errors = []
rows = []
with open(PATH, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.rstrip("\n")
        if not line.strip():
            errors.append(f"line {n}: blank line"); continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON ({e})"); continue
        rows.append((n, r))

seen = {}
for n, r in rows:
    keys = set(r)
    allowed = {"text", "labels", "lang", "kind", "revoked_channels"}
    if not {"text", "labels", "lang", "kind"} <= keys or keys - allowed:
        errors.append(f"line {n}: bad keys {sorted(keys)}")
    text, labels = r.get("text"), r.get("labels")
    if not isinstance(text, str) or not text.strip():
        errors.append(f"line {n}: empty text")
    if not isinstance(r.get("kind"), str) or not r.get("kind"):
        errors.append(f"line {n}: empty kind")
    if r.get("lang") not in ("en", "es"):
        errors.append(f"line {n}: bad lang {r.get('lang')!r}")
    if not isinstance(labels, list) or not labels:
        errors.append(f"line {n}: labels must be a non-empty list"); continue
    bad = [l for l in labels if l not in LABELS]
    if bad:
        errors.append(f"line {n}: unknown labels {bad}")
    if len(set(labels)) != len(labels):
        errors.append(f"line {n}: repeated label")
    if "other" in labels and len(labels) > 1:
        errors.append(f"line {n}: 'other' combined with {labels}")
    if "opt_out" in labels:
        ch = r.get("revoked_channels")
        if not isinstance(ch, list) or not ch or ch != sorted(set(ch)) or any(c not in CHANNELS for c in ch):
            errors.append(f"line {n}: opt_out needs sorted non-empty revoked_channels subset, got {ch!r}")
    elif "revoked_channels" in r:
        errors.append(f"line {n}: revoked_channels on a non-opt_out row")
    key = re.sub(r"\s+", " ", text.strip().lower()) if isinstance(text, str) else None
    if key in seen:
        errors.append(f"line {n}: duplicate text of line {seen[key]}")
    else:
        seen[key] = n

# ---- counts ----
label_lang = collections.Counter()
lang = collections.Counter()
for _, r in rows:
    lang[r["lang"]] += 1
    for l in r["labels"]:
        label_lang[(l, r["lang"])] += 1
total = len(rows)
print(f"rows: {total}   en: {lang['en']} ({lang['en']/total:.0%})   es: {lang['es']} ({lang['es']/total:.0%})")
print(f"{'label':<18}{'en':>6}{'es':>6}{'all':>6}")
for l in sorted(LABELS, key=lambda x: -(label_lang[(x,'en')] + label_lang[(x,'es')])):
    e, s = label_lang[(l, "en")], label_lang[(l, "es")]
    print(f"{l:<18}{e:>6}{s:>6}{e+s:>6}")

opt = [r for _, r in rows if "opt_out" in r["labels"]]
ch = collections.Counter(tuple(r["revoked_channels"]) for r in opt)
multi = sum(len(r["labels"]) > 1 for _, r in rows)
email = sum("email" in r["kind"].lower() for _, r in rows)
no_stop = sum(not re.search(r"stop", r["text"], re.I) for r in opt)
decoys = sum(bool(DECOY_RE.search(r["text"])) and "opt_out" not in r["labels"] for _, r in rows)
print()
print(f"opt_out: {len(opt)} (en {sum(r['lang']=='en' for r in opt)}, es {sum(r['lang']=='es' for r in opt)}), "
      f"without the word 'stop': {no_stop}")
print("revoked_channels:", ", ".join(f"{'+'.join(k)}={v}" for k, v in ch.most_common()))
print(f"multi-label rows: {multi} ({multi/total:.0%})")
print(f"e-mail rows (kind mentions email): {email} ({email/total:.0%})")
print(f"non-opt-out rows mentioning stop/cancel/para/parar/remove-family words: {decoys}")
print()
if errors:
    print(f"{len(errors)} ERROR(S):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK: no errors")
