#!/usr/bin/env python3
"""Builds tests/data/replies.jsonl, the classifier's tuning set.

Input: the hand-labelled replies already in replies.jsonl up to the marker
line count kept in KEPT (the original set), and the hand-written base replies
in base_en.txt / base_es.txt (one `labels|text` per line). Output: the
original rows, every base reply, and deterministic variants of base replies
the way they arrive in real inboxes: quoted e-mail threads (whose quoted
dealership text must be ignored), voicemail transcripts, greetings and
sign-offs, ALL CAPS, no punctuation, one typo, an emoji, and two replies run
together (multi-intent). A variant keeps its base reply's labels.

Run from the crate root: python3 tests/data/tuning/make_tuning_set.py
"""
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
KEPT = 489  # rows of the original hand-labelled set kept as they are
ALL = ["call", "email", "sms"]

rng = random.Random(17)


def parse(path, lang):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        labels_part, text = line.split("|", 1)
        labels, channels, possible = [], None, False
        for tag in labels_part.split(","):
            if tag == "possible":
                possible = True
            elif tag.startswith("opt_out"):
                labels.append("opt_out")
                channels = sorted(tag.split(":")[1].split("+")) if ":" in tag else list(ALL)
            else:
                labels.append(tag)
        rows.append({"text": text, "labels": labels, "channels": channels,
                     "possible": possible, "lang": lang})
    return rows


def out_row(base, text):
    row = {"text": text, "labels": base["labels"]}
    if base["channels"]:
        row["revoked_channels"] = base["channels"]
    if base["possible"]:
        row["possible_opt_out"] = True
    return row


NAMES = ["Dana", "Luis", "Marcus", "Jen", "Rosa", "Tom", "Aisha", "Carlos", "Beth", "Kim"]
CARS = ["CR-V", "Tacoma", "Rogue", "F-150", "Camry", "Explorer", "Sienna", "Tucson"]


def quoted_email(text, lang):
    name, car = rng.choice(NAMES), rng.choice(CARS)
    if lang == "es":
        return (f"{text}\n\nEl lun, 2 mar 2026 a las 9:14, Lakeside Motors "
                f"<ventas@lakeside-motors.example> escribió:\n> Hola {name}, ¿sigue "
                f"interesado en la {car}? Tenemos financiamiento y aceptamos su carro a "
                f"cuenta. ¿Le gustaría pasar el sábado?\n> Responda STOP para no recibir más mensajes.")
    return (f"{text}\n\nOn Mon, Mar 2, 2026 at 9:14 AM Lakeside Motors "
            f"<sales@lakeside-motors.example> wrote:\n> Hi {name}, are you still looking at "
            f"the {car}? We have great financing and trade-in offers this week, and you can "
            f"stop by for a test drive any time.\n> Reply STOP to opt out.")


def voicemail(text, lang):
    if len(text.split()) < 3:
        return None  # nobody leaves a voicemail of one or two words
    name = rng.choice(NAMES)
    body = text.rstrip(".!")
    if lang == "es":
        return f"Transcripción de buzón de voz (0:{rng.randint(10, 59)}): eh sí hola habla {name} {body} eh bueno bye"
    return f"Voicemail transcription (0:{rng.randint(10, 59)}): hey uh this is {name} um {body} ok bye"


def greeting(text, lang):
    g = rng.choice(["Hola, ", "Buenas tardes. ", "Hola Alex, "] if lang == "es"
                   else ["Hi, ", "Hey Alex, ", "Good morning. ", "Hello, "])
    return g + text


def signoff(text, lang):
    s = rng.choice(["\nEnviado desde mi iPhone", " - " + rng.choice(NAMES)] if lang == "es"
                   else ["\nSent from my iPhone", " -" + rng.choice(NAMES), "\n\nGet Outlook for Android"])
    return text + s


def typo(text, _lang):
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not idx:
        return None
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif kind == "drop":
        w = w[:j] + w[j + 1:]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def caps(text, _lang):
    return text.upper()


def bare(text, _lang):
    t = re.sub(r"[.,!?¿¡']", "", text).lower()
    return t if t.strip() else None


def emoji(text, _lang):
    return text + " " + rng.choice(["😅", "🙄", "🚗", "😤", "🤔", "😩", "🤷‍♂️", "😬"])


WRAPPERS = [quoted_email, voicemail, greeting, signoff, typo, caps, bare, emoji]
OTHER_WRAPPERS = [quoted_email, signoff, caps, bare, emoji]
# Labels whose replies combine naturally into one two-part message.
COMBINABLE = {"trade_in", "credit_finance", "urgent_timeline", "price_payment", "appointment",
              "vehicle_question", "service", "human_request", "not_now", "reschedule"}


def later_rows(stem, seed):
    """The rows of `{stem}_en.txt` and `{stem}_es.txt` and two variants of
    each, drawn with a generator seeded `seed`."""
    base = parse(HERE / f"{stem}_en.txt", "en") + parse(HERE / f"{stem}_es.txt", "es")
    rows = [out_row(b, b["text"]) for b in base]
    rng_later = random.Random(seed)
    for b in base:
        for w in rng_later.sample(WRAPPERS, 2):
            t = w(b["text"], b["lang"])
            if t and t != b["text"]:
                rows.append(out_row(b, t))
    return rows


def main():
    kept = (DATA / "replies.jsonl").read_text(encoding="utf-8").splitlines()[:KEPT]
    base = (parse(HERE / "base_en.txt", "en") + parse(HERE / "base_es.txt", "es")
            + parse(HERE / "base_more_en.txt", "en") + parse(HERE / "base_more_es.txt", "es")
            + parse(HERE / "base_other.txt", "other")
            + parse(HERE / "base_third_en.txt", "en") + parse(HERE / "base_third_es.txt", "es"))
    rows = [json.loads(l) for l in kept]
    rows += [out_row(b, b["text"]) for b in base]
    # Every opt-out and maybe-stop gets two variants, the others one.
    for b in base:
        n = 2 if ("opt_out" in b["labels"] or b["possible"]) else 1
        # English greetings and voicemail words would turn a reply in
        # another language into a mixed one.
        wrappers = WRAPPERS if b["lang"] != "other" else OTHER_WRAPPERS
        for w in rng.sample(wrappers, n):
            t = w(b["text"], b["lang"])
            if t and t != b["text"]:
                rows.append(out_row(b, t))
    singles = [b for b in base if len(b["labels"]) == 1 and b["labels"][0] in COMBINABLE
               and not b["possible"]]
    for _ in range(160):
        a, c = rng.sample(singles, 2)
        if a["labels"] == c["labels"] or a["lang"] != c["lang"]:
            continue
        if {"reschedule", "appointment"} == {a["labels"][0], c["labels"][0]}:
            continue
        joiner = rng.choice([". ", " y ", ". También, "] if a["lang"] == "es"
                            else [". ", " also ", ". And ", "\n"])
        text = a["text"].rstrip(".") + joiner + c["text"][0].lower() + c["text"][1:]
        labels = sorted(set(a["labels"]) | set(c["labels"]))
        rows.append({"text": text, "labels": labels})
    # Rows written after the fourth blind set, and after training set 7b:
    # each batch's variants come from a generator of its own, so every
    # earlier row stays as it was.
    rows += later_rows("base_fourth", 4)
    rows += later_rows("base_fifth", 5)
    seen, out = set(), []
    for r in rows:
        if r["text"] in seen:
            continue
        seen.add(r["text"])
        out.append(r)
    with open(DATA / "replies.jsonl", "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(out)} rows")


if __name__ == "__main__":
    main()
