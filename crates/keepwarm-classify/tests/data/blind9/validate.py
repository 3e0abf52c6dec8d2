"""Validate heldout_blind9.jsonl and print counts."""
import json, re, sys, collections, os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "heldout_blind9.jsonl")
ALLOWED = ["opt_out", "wrong_number", "bought_elsewhere", "not_interested", "not_now",
           "trade_in", "credit_finance", "urgent_timeline", "price_payment", "appointment",
           "reschedule", "confirm", "vehicle_question", "service", "human_request",
           "positive", "other"]
CHANNELS = ["call", "email", "sms"]
DECOY_RE = re.compile(r"\b(stop\w*|cancel\w*|remov\w*|quit\w*|para|parar|paren|paro|paré|pare|cancelar\w*|cancelo)\b", re.I)

def main():
    errors = []
    rows = []
    seen = {}
    with open(PATH, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                errors.append(f"line {n}: blank line"); continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {n}: bad JSON: {e}"); continue
            rows.append(r)
            keys = set(r)
            need = {"text", "labels", "lang", "kind"}
            if not need <= keys:
                errors.append(f"line {n}: missing keys {need - keys}")
            extra = keys - need - {"revoked_channels"}
            if extra:
                errors.append(f"line {n}: unexpected keys {extra}")
            text = r.get("text")
            if not isinstance(text, str) or not text.strip():
                errors.append(f"line {n}: empty text")
            labels = r.get("labels")
            if not isinstance(labels, list) or not labels:
                errors.append(f"line {n}: labels must be a non-empty list"); continue
            for l in labels:
                if l not in ALLOWED:
                    errors.append(f"line {n}: unknown label {l!r}")
            if len(set(labels)) != len(labels):
                errors.append(f"line {n}: repeated label")
            if "other" in labels and len(labels) > 1:
                errors.append(f"line {n}: 'other' combined with {labels}")
            if r.get("lang") not in ("en", "es"):
                errors.append(f"line {n}: bad lang {r.get('lang')!r}")
            if not isinstance(r.get("kind"), str) or not r["kind"].strip():
                errors.append(f"line {n}: empty kind")
            if "opt_out" in labels:
                ch = r.get("revoked_channels")
                if not isinstance(ch, list) or not ch:
                    errors.append(f"line {n}: opt_out without revoked_channels")
                elif ch != sorted(set(ch)) or any(c not in CHANNELS for c in ch):
                    errors.append(f"line {n}: revoked_channels not a sorted subset: {ch}")
            elif "revoked_channels" in r:
                errors.append(f"line {n}: revoked_channels on non-opt_out row")
            key = re.sub(r"\s+", " ", text or "").strip().lower()
            if key in seen:
                errors.append(f"line {n}: duplicate of line {seen[key]}: {text[:50]!r}")
            else:
                seen[key] = n

    total = len(rows)
    lang = collections.Counter(r["lang"] for r in rows)
    print(f"rows: {total}  en: {lang['en']}  es: {lang['es']}  (es share {lang['es']/max(total,1):.1%})")
    per = {l: collections.Counter() for l in ALLOWED}
    for r in rows:
        for l in r["labels"]:
            per[l][r["lang"]] += 1
    print(f"{'label':18}{'en':>6}{'es':>6}{'total':>7}")
    for l in ALLOWED:
        c = per[l]
        print(f"{l:18}{c['en']:>6}{c['es']:>6}{c['en']+c['es']:>7}")
    multi = sum(1 for r in rows if len(r["labels"]) > 1)
    opt = [r for r in rows if "opt_out" in r["labels"]]
    opt_es = sum(1 for r in opt if r["lang"] == "es")
    opt_nostop = sum(1 for r in opt if not re.search(r"stop", r["text"], re.I))
    decoys = [r for r in rows if "opt_out" not in r["labels"] and DECOY_RE.search(r["text"])]
    chans = collections.Counter(tuple(r["revoked_channels"]) for r in opt)
    print(f"multi-label rows: {multi} ({multi/max(total,1):.1%})")
    print(f"opt_out: {len(opt)}  spanish: {opt_es}  without 'stop': {opt_nostop}")
    print("revoked_channels:", dict(chans))
    print(f"decoys (stop/cancel/remove/quit/para/parar... in non-opt-out rows): {len(decoys)}"
          f"  en: {sum(1 for r in decoys if r['lang']=='en')}  es: {sum(1 for r in decoys if r['lang']=='es')}")
    checks = [("rows >= 650", total >= 650), ("opt_out >= 120", len(opt) >= 120),
              ("spanish opt_out >= 40", opt_es >= 40), ("opt_out without stop >= 70", opt_nostop >= 70),
              ("urgent_timeline >= 40", sum(per["urgent_timeline"].values()) >= 40),
              ("trade_in >= 40", sum(per["trade_in"].values()) >= 40),
              ("credit_finance >= 40", sum(per["credit_finance"].values()) >= 40),
              ("decoys >= 60", len(decoys) >= 60)]
    for name, ok in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    if errors:
        print(f"\n{len(errors)} ERRORS:")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("\nno errors")

if __name__ == "__main__":
    main()
