#!/usr/bin/env python3
"""A demo week for `keepwarm audit` and `keepwarm report funnel` (the README's samples).

Runs the real server on a manual clock against a fresh SQLite file and drives it through the API:
four baseline weeks (2026-W43 to W46) and the audited week 2026-W47 of a Chicago store, with
appointments and shows recorded as outcomes, hot replies acknowledged after 2 and 12 minutes or
never, and a worker outage on the audited Tuesday (the server is stopped at 10:00 and started again
at 11:45, so the touches due in between leave late). Then prints both reports.

    cargo build --release && python3 scripts/audit-demo.py target/release/keepwarm
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from zoneinfo import ZoneInfo

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/keepwarm"
CHICAGO = ZoneInfo("America/Chicago")
TOKEN = "demo-token"
PORT = 18477
DB = "sqlite://" + os.path.join(tempfile.mkdtemp(prefix="keepwarm-demo-"), "demo.db")
server = None


def local(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    t = dt.datetime(day.year, day.month, day.day, h, m, tzinfo=CHICAGO)
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def start(at):
    global server
    env = dict(os.environ, KEEPWARM_API_TOKEN=TOKEN)
    server = subprocess.Popen(
        [BIN, "serve", "--db", DB, "--clock", "manual:" + at, "--listen", f"127.0.0.1:{PORT}"],
        env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            call("GET", "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not start")


def stop():
    server.terminate()
    server.wait()


def call(method, path, body=None):
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return {"status": e.code}


def clock(at):
    call("POST", "/api/v1/sandbox/clock", {"to": at})


phone_no = 300
FIRST = ["Dana", "Luis", "Priya", "Marcus", "Keiko", "Omar", "Grace", "Tomas", "Aisha", "Ben", "Chloe", "Dev"]
CARS = [("Honda", "CR-V"), ("Toyota", "RAV4"), ("Ford", "F-150"), ("Subaru", "Outback"), ("Kia", "Telluride")]


def lead(segment):
    global phone_no
    phone_no += 1
    name = FIRST[phone_no % len(FIRST)]
    make, model = CARS[phone_no % len(CARS)]
    phone = f"(312) 555-{phone_no:04d}"
    customer = {"first_name": name, "last_name": "Demo", "phones": [phone],
                "emails": [f"{name.lower()}{phone_no}@example.com"]}
    if segment == "new_inquiry":
        body = {"source": {"kind": "internet", "provider": "Cars.com", "provider_lead_id": f"demo-{phone_no}"},
                "customer": customer, "vehicles": [{"interest": "buy", "year": 2025, "make": make, "model": model}]}
        if phone_no % 3 == 0:
            body["appointment_windows"] = ["Saturday morning"]
    elif segment == "unsold_showroom":
        body = {"source": {"kind": "walk_in"}, "customer": customer,
                "vehicles": [{"interest": "buy", "year": 2024, "make": make, "model": model}]}
    else:
        body = {"source": {"kind": "service"}, "customer": customer,
                "service": {"last_visit_at": "2025-03-01T15:00:00Z", "need": "brake inspection",
                            "vehicle": {"year": 2019, "make": make, "model": model}}}
    out = call("POST", "/api/v1/leads", body)
    return {"id": out["id"], "owner": out["owner"], "phone": "+1312555" + f"{phone_no:04d}"}


def outcome(l, stage, appointment_at=None):
    body = {"stage": stage, "reason": "demo", "by": l["owner"]}
    if appointment_at:
        body["appointment"] = {"at": appointment_at, "kind": "sales"}
    call("POST", f"/api/v1/leads/{l['id']}/outcomes", body)


def week(monday, plan, audited=False):
    clock(local(monday, "09:00"))
    leads = {s: [lead(s) for _ in range(n)] for s, (n, _, _) in plan.items()}
    if audited:
        ni = leads["new_inquiry"]
        for i, (at, ack) in enumerate([("10:00", 2), ("10:20", 12), ("10:40", None)]):
            clock(local(monday, at))
            call("POST", "/api/v1/sandbox/inbound", {"from": ni[i]["phone"], "body": "Can I come see it Saturday?"})
            esc = next(e for e in call("GET", "/api/v1/escalations") if e["lead_id"] == ni[i]["id"])
            if ack:
                call("POST", "/api/v1/sandbox/clock", {"advance": f"PT{ack}M"})
                call("POST", f"/api/v1/escalations/{esc['id']}/ack", {"by": ni[i]["owner"]})
        clock(local(monday, "11:00"))
        call("POST", "/api/v1/sandbox/inbound", {"from": ni[3]["phone"], "body": "I already bought one somewhere else"})
    clock(local(monday, "11:30"))
    offset = 4 if audited else 0
    for s, (_, appts, _) in plan.items():
        start_at = offset if s == "new_inquiry" else 0
        for l in leads[s][start_at:start_at + appts]:
            outcome(l, "appointment_set", local(monday + dt.timedelta(days=2), "13:00"))
    tuesday = monday + dt.timedelta(days=1)
    if audited:
        clock(local(tuesday, "10:00"))
        stop()
        start(local(tuesday, "11:45"))
    clock(local(monday + dt.timedelta(days=2), "14:00"))
    for s, (_, _, showed) in plan.items():
        start_at = offset if s == "new_inquiry" else 0
        for l in leads[s][start_at:start_at + showed]:
            outcome(l, "showed")
    clock(local(monday + dt.timedelta(days=6), "12:00"))
    for ls in leads.values():
        for l in ls:
            call("POST", f"/api/v1/leads/{l['id']}/stop", {"reason": "end of the demo week", "by": l["owner"]})


first_monday = dt.date(2026, 10, 19)
start(local(first_monday, "08:00"))
baseline = [(6, 3, 2, 3, 1, 1), (6, 2, 1, 3, 2, 1), (6, 3, 2, 3, 1, 0), (6, 2, 2, 3, 1, 1)]
for i, (n, a, s, wn, wa, ws) in enumerate(baseline):
    week(first_monday + dt.timedelta(weeks=i),
         {"new_inquiry": (n, a, s), "unsold_showroom": (wn, wa, ws)})
week(first_monday + dt.timedelta(weeks=4),
     {"new_inquiry": (10, 2, 1), "unsold_showroom": (4, 1, 1), "service_defection": (3, 1, 0)}, audited=True)
clock(local(first_monday + dt.timedelta(weeks=5), "09:00"))
stop()

print(f"$ keepwarm audit --db {DB} --week 2026-W47", flush=True)
subprocess.run([BIN, "audit", "--db", DB, "--week", "2026-W47"], check=True)
print(f"\n$ keepwarm report funnel --db {DB} --from 2026-11-16 --to 2026-11-23", flush=True)
subprocess.run([BIN, "report", "funnel", "--db", DB, "--from", "2026-11-16", "--to", "2026-11-23"], check=True)
