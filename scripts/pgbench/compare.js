// keepwarm against graphile-worker on one PostgreSQL, in one run: see docs/PERFORMANCE.md.
//
//   node compare.js --keepwarm PATH [--pg URL] [--size full|quick|smoke] [--only a,b] [--assert]
//                   [--systems keepwarm,graphile_worker] [--keep]
//
// Prints ONE JSON object on stdout (progress goes to stderr). Each figure runs each system on a
// fresh database of its own on the same server, with worker processes of its own, against the same
// loopback stub: a Twilio-shaped HTTP server in this process that answers CreateMessage (and
// ListMessage, which keepwarm's crash reconciliation asks) and records when each text arrived.
//
// Jobs are put in the database directly, so insertion is never part of a figure:
// - keepwarm: a template lead is ingested with `keepwarm ingest`; each job is a copy of its lead,
//   contact, enrollment and first touch (a text) with its own phone number and due time. Sending it
//   is keepwarm's whole path: claim with a lease, consent and contact rules, render, send, record,
//   plan the next step.
// - graphile-worker: `graphile_worker.add_jobs` with the same phone number and due time (`run_at`).
//
// Costs, per figure and system: CPU-seconds of the worker processes (/proc/<pid>/stat) and of
// their PostgreSQL backends (/proc of each backend pid in pg_stat_activity for the figure's
// database, sampled every second), transactions committed (pg_stat_database.xact_commit of the
// figure's database) and WAL bytes (pg_current_wal_lsn, server-wide: other databases' writes on the
// same server are counted too).
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const http = require("node:http");
const { spawn, execFileSync } = require("node:child_process");
const { performance } = require("node:perf_hooks");
const { Client } = require("pg");

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const TICKS = 100; // clock ticks per second in /proc/<pid>/stat (USER_HZ)
const CLONE_BASE = 1000; // a copied lead, enrollment and touch have id CLONE_BASE + g
const SEQ_START = 100_000_000; // keepwarm's own inserts (next steps) get ids above this
const PROBE = 5_000_000; // g of the touches the claim-time probe puts in and takes out

const SIZES = {
  full: {
    burn: 200_000,
    pickup: 1_000,
    backlog: 1_000_000,
    rate: 1_000,
    stream_s: 180,
    crash_rate: 1_000,
    crash_s: 60,
    settle_s: 300,
  },
  quick: {
    burn: 20_000,
    pickup: 200,
    backlog: 100_000,
    rate: 500,
    stream_s: 30,
    crash_rate: 500,
    crash_s: 20,
    settle_s: 120,
  },
  smoke: {
    burn: 300,
    pickup: 5,
    backlog: 1_000,
    rate: 50,
    stream_s: 3,
    crash_rate: 50,
    crash_s: 5,
    settle_s: 60,
  },
};

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const args = {
    keepwarm: null,
    pg: process.env.KEEPWARM_TEST_PG || "postgres://root@127.0.0.1:5432/postgres",
    size: "full",
    only: null,
    concurrency: 32,
    workdir: null,
    assert: false,
    systems: ["keepwarm", "graphile_worker"],
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--keepwarm") args.keepwarm = next();
    else if (a === "--pg") args.pg = next();
    else if (a === "--size") args.size = next();
    else if (a === "--quick") args.size = "quick";
    else if (a === "--only") args.only = next().split(",");
    else if (a === "--concurrency") args.concurrency = Number(next());
    else if (a === "--workdir") args.workdir = next();
    else if (a === "--assert") args.assert = true;
    else if (a === "--systems") args.systems = next().split(",");
    else if (a === "--keep") args.keep = true;
    else fail(`unknown argument ${a}`);
  }
  if (!args.keepwarm) fail("--keepwarm PATH (the keepwarm binary) is required");
  if (!SIZES[args.size]) fail(`--size must be one of ${Object.keys(SIZES).join(", ")}`);
  return args;
}

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(2);
}

const log = (...m) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const round = (x, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const phoneOf = (g) => `+1312${2_000_000 + g}`;
const gOf = (to) => Number(to.slice(5)) - 2_000_000;

// ---------------------------------------------------------------------------------------------
// The stub: Twilio's CreateMessage and ListMessage on loopback, recording arrivals.

class Stub {
  constructor() {
    this.reset();
  }

  reset() {
    this.arrivals = new Map(); // to -> [ms since the epoch]
    this.messages = new Map(); // to -> [resource], newest last
    this.total = 0;
    this.waiters = new Map(); // to -> resolve
    this.onCount = null;
  }

  async start() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }

  handle(req, res) {
    const url = new URL(req.url, this.url);
    if (!url.pathname.endsWith("/Messages.json")) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === "GET") {
      const to = url.searchParams.get("To");
      const list = (this.messages.get(to) || []).slice().reverse();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ messages: list, next_page_uri: null, page: 0, page_size: 50 }));
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const at = now();
      const form = new URLSearchParams(body);
      const to = form.get("To");
      const date = new Date(at).toUTCString().replace("GMT", "+0000");
      const resource = {
        sid: "SM" + (this.total + 1).toString(16).padStart(32, "0"),
        account_sid: ACCOUNT,
        to,
        from: form.get("From"),
        messaging_service_sid: null,
        body: form.get("Body"),
        status: "queued",
        direction: "outbound-api",
        date_created: date,
        date_updated: date,
        date_sent: null,
        error_code: null,
        error_message: null,
        num_segments: "1",
      };
      this.total += 1;
      if (!this.arrivals.has(to)) this.arrivals.set(to, []);
      this.arrivals.get(to).push(at);
      if (!this.messages.has(to)) this.messages.set(to, []);
      this.messages.get(to).push(resource);
      const waiter = this.waiters.get(to);
      if (waiter) {
        this.waiters.delete(to);
        waiter(at);
      }
      if (this.onCount) this.onCount(this.total);
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify(resource));
    });
  }

  /** The arrival time of the first text to `to`, waiting up to `ms`. */
  arrival(to, ms) {
    const seen = this.arrivals.get(to);
    if (seen) return Promise.resolve(seen[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(to);
        reject(new Error(`no text to ${to} within ${ms} ms`));
      }, ms);
      this.waiters.set(to, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** Resolves once `n` texts arrived in total, or after `ms` (false). */
  count(n, ms) {
    if (this.total >= n) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onCount = null;
        resolve(false);
      }, ms);
      this.onCount = (total) => {
        if (total >= n) {
          clearTimeout(timer);
          this.onCount = null;
          resolve(true);
        }
      };
    });
  }

  /** Duplicates (texts beyond the first to a number) and missing numbers among `expected`. */
  tally(expected) {
    let duplicates = 0;
    let missing = 0;
    for (const to of expected) {
      const n = (this.arrivals.get(to) || []).length;
      if (n === 0) missing += 1;
      else duplicates += n - 1;
    }
    return { duplicates, missing };
  }
}

// ---------------------------------------------------------------------------------------------
// Databases

async function connect(url) {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

function dbUrl(admin, name) {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

async function freshDatabase(admin, name) {
  const c = await connect(admin);
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  // PGBENCH_LOG_STATEMENTS=1: the server logs every statement run on the figure's database (to see
  // what a worker does per job; the figures themselves are then not worth quoting).
  if (process.env.PGBENCH_LOG_STATEMENTS) await c.query(`ALTER DATABASE ${name} SET log_statement = 'all'`);
  await c.end();
  return dbUrl(admin, name);
}

async function dropDatabase(admin, name) {
  const c = await connect(admin);
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
}

/** Drops a figure's database, or with `--keep` leaves it for a look and says where it is. */
async function closeDatabase(admin, name, keep) {
  if (keep) log(`kept database ${dbUrl(admin, name)}`);
  else await dropDatabase(admin, name);
}

// ---------------------------------------------------------------------------------------------
// Costs: worker processes and their PostgreSQL backends, commits, WAL.

function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null; // gone
  }
}

// Commits are read from pg_stat_database, which a backend updates at most once a second and, when
// idle, up to 10 s later (PostgreSQL 15). So the last snapshot is taken after the worker processes
// are stopped (an exiting backend reports everything) and after the harness's own connection is made
// to report; a worker is started more than 10 s before the first snapshot wherever its start-up could
// otherwise be counted.
const STATS_IDLE_FLUSH_MS = 11_000;

class Costs {
  /** `harness`: the figure's own connection to the database (its commits are reported before the
   * last snapshot; the figure subtracts them itself where they count). */
  constructor(admin, database, harness, exclude) {
    this.admin = admin;
    this.database = database;
    this.harness = harness;
    this.exclude = new Set(exclude);
    this.procs = new Map(); // pid -> last CPU seconds seen
    this.backends = new Map();
    this.workers = new Set();
  }

  async start() {
    this.conn = await connect(this.admin);
    const s = await this.snapshot();
    this.commits0 = s.commits;
    this.lsn0 = s.lsn;
    this.timer = setInterval(() => this.sample().catch(() => {}), 1000);
  }

  watch(pid) {
    this.workers.add(pid);
  }

  async snapshot() {
    await this.conn.query("SELECT pg_stat_clear_snapshot()");
    const r = await this.conn.query(
      "SELECT xact_commit::bigint AS commits, pg_current_wal_lsn()::text AS lsn FROM pg_stat_database WHERE datname = $1",
      [this.database],
    );
    return { commits: Number(r.rows[0].commits), lsn: r.rows[0].lsn };
  }

  async sample() {
    for (const pid of this.workers) {
      const s = cpuSeconds(pid);
      if (s !== null) this.procs.set(pid, s);
    }
    const r = await this.conn.query(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
      [this.database],
    );
    for (const { pid } of r.rows) {
      if (this.exclude.has(pid)) continue;
      const s = cpuSeconds(pid);
      if (s !== null) this.backends.set(pid, s);
    }
  }

  /** The costs since start, per `jobs` (the figure's jobs). `stop` stops the worker processes
   * after their last CPU sample, so their backends exit and report their commits. */
  async finish(jobs, stop) {
    await this.sample();
    clearInterval(this.timer);
    await stop();
    if (this.harness) {
      // The first call asks for a report at the end of the next transaction: the second's.
      await this.harness.query("SELECT pg_stat_force_next_flush()");
      await this.harness.query("SELECT 1");
    }
    await sleep(1500); // exiting backends report as they go; give them the time to
    const s = await this.snapshot();
    const wal = await this.conn.query("SELECT pg_wal_lsn_diff($1, $2)::bigint AS bytes", [s.lsn, this.lsn0]);
    await this.conn.end();
    const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
    const workerCpu = sum(this.procs);
    const pgCpu = sum(this.backends);
    const per1000 = jobs / 1000;
    return {
      worker_cpu_s: round(workerCpu),
      postgres_backend_cpu_s: round(pgCpu),
      worker_cpu_s_per_1000: round(workerCpu / per1000, 3),
      postgres_cpu_s_per_1000: round(pgCpu / per1000, 3),
      commits_per_job: round((s.commits - this.commits0) / jobs, 3),
      wal_bytes_per_job: round(Number(wal.rows[0].bytes) / jobs, 0),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Worker processes

function spawnWorker(cmd, argv, env, readyPattern, name) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let seen = "";
    let ready = false;
    const onData = (d) => {
      const text = d.toString();
      if (!ready) {
        seen += text;
        if (readyPattern.test(seen)) {
          ready = true;
          resolve(child);
        }
      }
      if (process.env.PGBENCH_DEBUG || /error|panick|ERROR|WARN/.test(text)) {
        process.stderr.write(`[${name}] ${text}`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code, signal) => {
      if (!ready) reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${seen}`));
    });
  });
}

function stopWorker(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

// ---------------------------------------------------------------------------------------------
// keepwarm

class Keepwarm {
  constructor(args, stub, dir) {
    this.bin = path.resolve(args.keepwarm);
    this.stub = stub;
    this.dir = dir;
    this.admin = args.pg;
    this.keep = args.keep;
    this.conf = path.join(dir, "keepwarm-conf");
    writeKeepwarmConfig(this.bin, this.conf, stub.url);
    this.lead = path.join(dir, "template-lead.json");
    fs.writeFileSync(
      this.lead,
      JSON.stringify({
        source: { kind: "internet", provider: "pgbench" },
        customer: {
          first_name: "Bench",
          phones: [phoneOf(4_999_999)],
          address: { city: "Chicago", region: "IL", country: "US" },
        },
      }),
    );
    this.env = {
      KEEPWARM_TWILIO_ACCOUNT_SID: ACCOUNT,
      KEEPWARM_TWILIO_AUTH_TOKEN: "bench-token",
      KEEPWARM_PUBLIC_URL: "https://keepwarm.example.com",
      RUST_LOG: process.env.PGBENCH_DEBUG ? "info" : "warn",
    };
  }

  /** A fresh database with keepwarm's schema and the template lead (id 1, its text touch id 1). */
  async database(name) {
    this.name = name;
    this.url = await freshDatabase(this.admin, name);
    const run = (...a) => execFileSync(this.bin, a, { env: { ...process.env, ...this.env }, stdio: "pipe" });
    run("migrate", "--db", this.url);
    run("ingest", this.lead, "--db", this.url, "--config", this.conf);
    this.db = await connect(this.url);
    const t = await this.db.query("SELECT id, channel FROM touches WHERE lead_id = 1 ORDER BY step_index");
    if (t.rows.length !== 1 || t.rows[0].id !== "1" || t.rows[0].channel !== "sms") {
      throw new Error(`the template lead's touches are ${JSON.stringify(t.rows)}, not one text`);
    }
    // The template only lends its rows: its own text is never sent.
    await this.db.query("UPDATE touches SET state = 'cancelled' WHERE id = 1");
    for (const table of ["leads", "enrollments", "touches"]) {
      await this.db.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), ${SEQ_START})`);
    }
    const pid = await this.db.query("SELECT pg_backend_pid() AS pid");
    this.ownPid = pid.rows[0].pid;
  }

  /**
   * Copies the template into jobs g = from .. from + n - 1, due at start + (g - from) * num / den
   * ms, in one statement (and wakes the workers).
   */
  async add(from, n, start, num, den) {
    const due = `($3::bigint + ((g - $1::bigint) * $4::bigint) / $5::bigint)`;
    const series = "generate_series($1::bigint, $1::bigint + $2::bigint - 1) g";
    await this.db.query(
      `WITH l AS (
         INSERT INTO leads (id, dealership, received_at, created_at, source_kind, provider,
             display_name, payload, segment, segment_rule, owner_id, stage, status, opted_out,
             last_inquiry_at)
         OVERRIDING SYSTEM VALUE
         SELECT ${CLONE_BASE} + g, t.dealership, t.received_at, t.created_at, t.source_kind,
             t.provider, t.display_name,
             jsonb_set(jsonb_set(t.payload, '{customer,phones}', jsonb_build_array(p.phone)),
                 '{customer,phone_numbers}',
                 jsonb_build_array(jsonb_build_object('number', p.phone, 'original', p.phone))),
             t.segment, t.segment_rule, t.owner_id, t.stage, t.status, false, t.last_inquiry_at
         FROM leads t, (SELECT g, '+1312' || (2000000 + g) AS phone FROM ${series}) p
         WHERE t.id = 1),
       c AS (
         INSERT INTO lead_contacts (lead_id, position, kind, value, usable)
         SELECT ${CLONE_BASE} + g, 0, 'phone', '+1312' || (2000000 + g), true FROM ${series}),
       e AS (
         INSERT INTO enrollments (id, lead_id, cadence_name, cadence_version, anchor_at, status,
             started_at)
         OVERRIDING SYSTEM VALUE
         SELECT ${CLONE_BASE} + g, ${CLONE_BASE} + g, x.cadence_name, x.cadence_version,
             x.anchor_at, 'active', x.started_at
         FROM enrollments x, ${series} WHERE x.id = 1),
       w AS (SELECT pg_notify('keepwarm_work', ''))
       INSERT INTO touches (id, enrollment_id, lead_id, step_index, channel, block, target_at,
           due_at, state)
       OVERRIDING SYSTEM VALUE
       SELECT ${CLONE_BASE} + g, ${CLONE_BASE} + g, ${CLONE_BASE} + g, x.step_index, x.channel,
           x.block, ${due}, ${due}, 'scheduled'
       FROM touches x, ${series}, w WHERE x.id = 1`,
      [from, n, Math.floor(start), num, den],
    );
  }

  async remove(from, n) {
    const ids = `BETWEEN ${CLONE_BASE + from} AND ${CLONE_BASE + from + n - 1}`;
    for (const t of ["touches", "enrollments", "lead_contacts", "events", "leads"]) {
      const col = t === "leads" ? "id" : "lead_id";
      await this.db.query(`DELETE FROM ${t} WHERE ${col} ${ids}`);
    }
  }

  /**
   * The claim statement keepwarm's worker runs (claims.rs), timed `times` times with `PROBE`
   * touches due, each in a transaction rolled back: mean milliseconds.
   */
  async claimMillis(times) {
    await this.add(PROBE, 256, Date.now() - 60_000, 0, 1);
    const lease = Date.now() + 600_000;
    const ms = [];
    for (let i = 0; i < times; i++) {
      await this.db.query("BEGIN");
      const t = now();
      const r = await this.db.query(
        `WITH picked AS (
             SELECT id FROM touches WHERE state = 'scheduled' AND due_at <= $1
             ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
         UPDATE touches t SET state = 'sending', claimed_at = $1, lease_owner = $2,
             lease_until = $3
         FROM picked WHERE t.id = picked.id RETURNING t.id`,
        [Date.now(), "probe", lease, 256],
      );
      ms.push(now() - t);
      await this.db.query("ROLLBACK");
      if (r.rows.length !== 256) throw new Error(`the claim probe took ${r.rows.length} touches`);
    }
    await this.remove(PROBE, 256);
    return ms.reduce((a, b) => a + b, 0) / ms.length;
  }

  /** Copies the workers still have to do: scheduled, or leased (`sending`). */
  async remaining() {
    return this.pending();
  }

  /** Scheduled touches left among the copies (the no-op burn-down's end). */
  async pending() {
    const r = await this.db.query(
      `SELECT count(*)::int AS n FROM touches WHERE id < ${SEQ_START} AND id > 1 AND state IN ('scheduled', 'sending')`,
    );
    return r.rows[0].n;
  }

  /** A `keepwarm worker` process; `opts.sandbox`: the sandbox channel (the no-op stub), `opts.lease`. */
  worker(opts = {}) {
    const extra = [];
    if (opts.sandbox) extra.push("--sandbox");
    if (opts.lease) extra.push("--lease", opts.lease);
    return spawnWorker(
      this.bin,
      ["worker", "--db", this.url, "--config", this.conf, "--shutdown-grace", "1s", ...extra],
      this.env,
      /keepwarm worker .* running/,
      "keepwarm",
    );
  }

  /**
   * Where the copies among `gs` stand in the database: touches by state (a text the stub never got
   * but the database holds as `sent` is lost; one still `scheduled` or `sending` is late).
   */
  async standing(gs) {
    const ids = gs.map((g) => CLONE_BASE + g);
    const r = await this.db.query(
      `SELECT state, count(*)::int AS n, count(*) FILTER (WHERE lease_until > $2)::int AS leased
       FROM touches WHERE id = ANY($1::bigint[]) GROUP BY state ORDER BY state`,
      [ids, Date.now()],
    );
    return Object.fromEntries(r.rows.map((x) => [x.state, x.state === "sending" ? { n: x.n, lease_live: x.leased } : x.n]));
  }

  async close() {
    await this.db.end();
    await closeDatabase(this.admin, this.name, this.keep);
  }
}

/** The starter configuration, open at every hour (so the run never waits for a contact window),
 * sending texts through Twilio's adapter to the stub with no per-number rate limit. */
function writeKeepwarmConfig(bin, dir, stubUrl) {
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync(bin, ["init", dir], { stdio: "pipe" });
  const allDay = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => `${d} = "00:00-24:00"`).join("\n");
  fs.writeFileSync(
    path.join(dir, "dealerships.toml"),
    `[[dealership]]
id = "main"
name = "Lakeside Motors"
time_zone = "America/Chicago"
country = "US"
phone = "+1 312 555 0100"
email = "sales@lakeside-motors.example.com"
address = "100 Lake Shore Dr, Chicago, IL 60601"

[dealership.hours.sales]
${allDay}
[dealership.hours.service]
${allDay}
`,
  );
  const staff = fs.readFileSync(path.join(dir, "staff.toml"), "utf8");
  fs.writeFileSync(
    path.join(dir, "staff.toml"),
    staff
      .split("\n")
      .filter((l) => !l.startsWith("shift"))
      .join("\n"),
  );
  const settings = fs
    .readFileSync(path.join(dir, "settings.toml"), "utf8")
    .replace('legal_hours = "08:00-21:00"', 'legal_hours = "00:00-24:00"')
    .replace('email_hours = "08:00-21:00"', 'email_hours = "00:00-24:00"');
  fs.writeFileSync(path.join(dir, "settings.toml"), settings);
  fs.writeFileSync(
    path.join(dir, "compliance.toml"),
    `[[rule]]
id = "US.hours"
jurisdiction = "US"
kind = "hours"
days = "all"
hours = "00:00-24:00"
citation = "benchmark configuration: open at every hour"
effective = "2020-01-01"
verified = false
`,
  );
  fs.writeFileSync(
    path.join(dir, "channels.toml"),
    `[twilio]
api_base = "${stubUrl}"
messages_per_second = 0

[[dealership]]
id = "main"
sms = "twilio"
sms_from = "+13125550100"
voice = "sandbox"
email = "sandbox"
`,
  );
}

// ---------------------------------------------------------------------------------------------
// graphile-worker

class Graphile {
  constructor(args, stub) {
    this.admin = args.pg;
    this.keep = args.keep;
    this.stub = stub;
    this.concurrency = args.concurrency;
  }

  async database(name) {
    this.name = name;
    this.url = await freshDatabase(this.admin, name);
    const { runMigrations } = require("graphile-worker");
    await runMigrations({ connectionString: this.url, logger: quietLogger() });
    this.db = await connect(this.url);
    const pid = await this.db.query("SELECT pg_backend_pid() AS pid");
    this.ownPid = pid.rows[0].pid;
  }

  /** Jobs g = from .. from + n - 1 of `task`, run_at start + (g - from) * num / den ms, in
   * statements of at most 50,000 jobs. */
  async add(from, n, start, num, den, task = "send") {
    for (let k = 0; k < n; k += 50_000) {
      const m = Math.min(50_000, n - k);
      await this.db.query(
        `SELECT graphile_worker.add_jobs(array_agg(ROW(
             $6::text, json_build_object('g', g, 'to', '+1312' || (2000000 + g)), NULL,
             to_timestamp(($3::bigint + ((g - $7::bigint) * $4::bigint) / $5::bigint) / 1000.0),
             NULL, NULL, NULL, NULL)::graphile_worker.job_spec))
         FROM generate_series($1::bigint, $1::bigint + $2::bigint - 1) g`,
        [from + k, m, Math.floor(start), num, den, task, from],
      );
    }
  }

  async pending() {
    const r = await this.db.query("SELECT count(*)::int AS n FROM graphile_worker._private_jobs");
    return r.rows[0].n;
  }

  /** Jobs a live worker can still take: not locked (a dead worker's locked jobs wait 4 hours). */
  async remaining() {
    const r = await this.db.query(
      "SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_at IS NULL",
    );
    return r.rows[0].n;
  }

  async locked() {
    const r = await this.db.query(
      "SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_at IS NOT NULL",
    );
    return r.rows[0].n;
  }

  /** A graphile-worker process; `opts.concurrency` when not the default. */
  worker(opts = {}) {
    const concurrency = opts.concurrency || this.concurrency;
    return spawnWorker(
      process.execPath,
      [path.join(__dirname, "gw-worker.js")],
      { GW_URL: this.url, GW_CONCURRENCY: String(concurrency), STUB_URL: this.stub.url },
      /ready/,
      "graphile-worker",
    );
  }

  async close() {
    await this.db.end();
    await closeDatabase(this.admin, this.name, this.keep);
  }
}

function quietLogger() {
  const { Logger } = require("graphile-worker");
  return new Logger(() => (level, message) => {
    if (level === "error") console.error(`[gw] ${message}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Figures

function percentiles(values) {
  const v = values.slice().sort((a, b) => a - b);
  const at = (p) => (v.length ? v[Math.max(0, Math.ceil(v.length * p) - 1)] : null);
  return { samples: v.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(v[v.length - 1]) };
}

async function waitUntil(what, check, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Burn-down: `n` jobs due now, one worker process started on them; jobs per second from its
 * start to the last job done. `stub`: the HTTP stub (done = the stub got n texts) or none (done
 * = no job left in the database). */
async function burnDown(sys, label, n, viaStub, ctx) {
  await sys.database(`pgbench_${label}_burn`);
  ctx.stub.reset();
  const start = Date.now() - 1000;
  if (viaStub) await sys.add(0, n, start, 0, 1, "send");
  else await sys.add(0, n, start, 0, 1, "noop");
  const costs = new Costs(sys.admin, sys.name, sys.db, [sys.ownPid]);
  await costs.start();
  const t = now();
  const worker = await sys.worker({ sandbox: !viaStub });
  costs.watch(worker.pid);
  if (viaStub) {
    const done = await ctx.stub.count(n, n * 10 + 120_000);
    if (!done) throw new Error(`${label}: the stub got ${ctx.stub.total} of ${n} texts`);
  } else {
    await waitUntil(`${label} to finish its no-op jobs`, async () => (await sys.pending()) === 0, n * 10 + 120_000);
  }
  const secs = (now() - t) / 1000;
  const cost = await costs.finish(n, () => stopWorker(worker));
  const sent = viaStub ? ctx.stub.tally(range(0, n).map(phoneOf)) : null;
  await sys.close();
  return { jobs: n, seconds: round(secs), jobs_per_s: round(n / secs, 0), ...(sent || {}), ...cost };
}

/** Pickup: `n` jobs put in one after another (each due now), each timed from the insert to the
 * stub seeing its text. */
async function pickup(sys, label, n, ctx) {
  await sys.database(`pgbench_${label}_pickup`);
  ctx.stub.reset();
  const worker = await sys.worker();
  await sleep(STATS_IDLE_FLUSH_MS); // its start-up's commits are reported before the first snapshot
  const costs = new Costs(sys.admin, sys.name, sys.db, [sys.ownPid]);
  await costs.start();
  costs.watch(worker.pid);
  const millis = [];
  for (let g = 0; g < n; g++) {
    const t = now();
    await sys.add(g, 1, Date.now(), 0, 1);
    const at = await ctx.stub.arrival(phoneOf(g), 30_000);
    millis.push(at - t);
  }
  const cost = await costs.finish(n, () => stopWorker(worker));
  await sys.close();
  // The inserts are this script's own commits (one each), not the worker's.
  cost.commits_per_job = round(cost.commits_per_job - 1, 3);
  return { jobs: n, latency_ms: percentiles(millis), ...cost };
}

/** Lateness: `backlog` jobs due over the 30 days after the stream, and `rate` jobs/s due for
 * `secs` seconds; one worker process. keepwarm also reports its claim statement's mean time as the
 * backlog is put in. */
async function lateness(sys, label, sizes, ctx) {
  const { backlog, rate, stream_s: secs } = sizes;
  await sys.database(`pgbench_${label}_backlog`);
  ctx.stub.reset();
  const stream = rate * secs;
  const claim = [];
  const later = Date.now() + 3_600_000;
  const month = 30 * 86_400_000;
  const steps = [0, 0.1, 0.25, 0.5, 1].map((f) => Math.round(backlog * f));
  let put = 0;
  for (const size of steps) {
    if (size > put) {
      for (let k = put; k < size; k += 100_000) {
        const m = Math.min(100_000, size - k);
        // Backlog jobs are g = stream .. stream + backlog - 1, spread evenly over 30 days.
        await sys.add(stream + k, m, later + Math.floor((k * month) / backlog), month, backlog);
      }
      put = size;
    }
    if (sys.claimMillis) {
      await sys.db.query("ANALYZE touches");
      claim.push({ backlog: size, claim_ms_mean: round(await sys.claimMillis(20), 3) });
    }
  }
  const t0 = Date.now() + 10_000;
  await sys.add(0, stream, t0, 1000, rate);
  const costs = new Costs(sys.admin, sys.name, sys.db, [sys.ownPid]);
  await costs.start();
  const worker = await sys.worker();
  costs.watch(worker.pid);
  const done = await ctx.stub.count(stream, secs * 1000 + 70_000);
  const cost = await costs.finish(stream, () => stopWorker(worker));
  const late = [];
  for (const [to, arrivals] of ctx.stub.arrivals) {
    const g = gOf(to);
    if (g < stream) late.push(arrivals[0] - (t0 + Math.floor((g * 1000) / rate)));
  }
  const sent = ctx.stub.tally(range(0, stream).map(phoneOf));
  await sys.close();
  const out = {
    backlog,
    stream: { due_per_s: rate, seconds: secs, jobs: stream, all_done: done },
    lateness_ms: percentiles(late),
    ...sent,
    ...cost,
  };
  if (claim.length) out.claim_ms_by_backlog = claim;
  return out;
}

/** Crash: two worker processes on a steady stream; one is killed with SIGKILL a third of the way
 * in and started again two seconds later. Duplicates and missing texts at the stub once the
 * stream is over and the survivors had time to settle the dead one's claims. */
async function crash(sys, label, sizes, ctx, opts) {
  const { crash_rate: rate, crash_s: secs, settle_s: settle } = sizes;
  await sys.database(`pgbench_${label}_crash`);
  ctx.stub.reset();
  const stream = rate * secs;
  const costs = new Costs(sys.admin, sys.name, sys.db, [sys.ownPid]);
  await costs.start();
  const a = await sys.worker(opts);
  const b = await sys.worker(opts);
  costs.watch(a.pid);
  costs.watch(b.pid);
  const t0 = Date.now() + 3_000;
  await sys.add(0, stream, t0, 1000, rate);
  await sleep(Math.max(0, t0 + (secs * 1000) / 3 - Date.now()));
  const before = ctx.stub.total;
  a.kill("SIGKILL");
  await sleep(2000);
  const again = await sys.worker(opts);
  costs.watch(again.pid);
  // The stream's end, then until every job is done: all texts at the stub, or nothing left for the
  // workers (keepwarm: no copy still scheduled or leased, so the dead worker's leases ran out and
  // were settled; graphile-worker: no job left that is not locked), for at most `settle` seconds.
  const end = t0 + secs * 1000;
  const deadline = end + settle * 1000;
  await sleep(Math.max(0, end - Date.now()));
  let finished = false;
  while (Date.now() < deadline && !finished) {
    finished = ctx.stub.total >= stream || (await sys.remaining()) === 0;
    if (!finished) await sleep(500);
  }
  await sleep(2000);
  const cost = await costs.finish(stream, () => Promise.all([stopWorker(a), stopWorker(b), stopWorker(again)]));
  const stuck = sys.locked ? await sys.locked() : null;
  const numbers = range(0, stream).map(phoneOf);
  const sent = ctx.stub.tally(numbers);
  const missing = range(0, stream).filter((g) => !ctx.stub.arrivals.has(phoneOf(g)));
  const last = numbers.reduce((m, to) => Math.max(m, (ctx.stub.arrivals.get(to) || [0])[0]), 0);
  // Where the jobs the stub never got stand: still queued or leased (late) or done (lost).
  const standing = missing.length && sys.standing ? await sys.standing(missing) : null;
  await sys.close();
  const out = {
    jobs: stream,
    killed_after_texts: before,
    ...sent,
    extra_texts: ctx.stub.total - (stream - sent.missing) - sent.duplicates,
    last_text_after_stream_end_s: round((last - end) / 1000),
    all_done_within_s: finished ? settle : null,
    ...cost,
  };
  if (standing) out.undelivered_by_state = standing;
  if (stuck !== null) out.jobs_still_locked_by_the_dead_worker = stuck;
  return out;
}

function range(from, to) {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const sizes = SIZES[args.size];
  const dir = args.workdir || fs.mkdtempSync(path.join(os.tmpdir(), "pgbench-"));
  const stub = new Stub();
  await stub.start();
  const ctx = { stub };
  const kw = new Keepwarm(args, stub, dir);
  const gw = new Graphile(args, stub);
  const wanted = (f) => !args.only || args.only.includes(f);
  const admin = await connect(args.pg);
  const version = (await admin.query("SHOW server_version")).rows[0].server_version;
  const settings = (
    await admin.query(
      "SELECT name, setting FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections')",
    )
  ).rows;
  await admin.end();
  const kwVersion = execFileSync(kw.bin, ["--version"]).toString().trim();
  const report = {
    size: args.size,
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0] && os.cpus()[0].model,
      memory_gb: round(os.totalmem() / 2 ** 30, 1),
      load_average_at_start: os.loadavg().map((x) => round(x)),
      postgres: version,
      postgres_settings: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
      node: process.version,
    },
    keepwarm: { version: kwVersion, workers: "keepwarm worker processes, Twilio adapter to the stub, rate limit off" },
    graphile_worker: {
      version: JSON.parse(fs.readFileSync(path.join(__dirname, "node_modules/graphile-worker/package.json"), "utf8")).version,
      workers: `graphile-worker run() processes, concurrency ${args.concurrency} each, pollInterval 2000 ms (default)`,
    },
    stub: "Twilio-shaped CreateMessage/ListMessage on loopback (in the harness process; its CPU is nobody's)",
  };
  const figure = async (name, f) => {
    if (!wanted(name)) return;
    report[name] = {};
    for (const [label, sys] of [
      ["keepwarm", kw],
      ["graphile_worker", gw],
    ].filter(([label]) => args.systems.includes(label))) {
      log(`${name}: ${label}`);
      report[name][label] = await f(sys, label);
      log(`${name}: ${label}:`, JSON.stringify(report[name][label]));
    }
  };
  await figure("burn_down", (sys, label) => burnDown(sys, label, sizes.burn, true, ctx));
  await figure("burn_down_noop", (sys, label) => burnDown(sys, `${label}_noop`, sizes.burn, false, ctx));
  await figure("pickup", (sys, label) => pickup(sys, label, sizes.pickup, ctx));
  await figure("lateness", (sys, label) => lateness(sys, label, sizes, ctx));
  await figure("crash", (sys, label) =>
    crash(sys, label, sizes, ctx, { lease: "5s", concurrency: args.concurrency / 2 }),
  );
  report.finished_load_average = os.loadavg().map((x) => round(x));
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  stub.server.close();
  if (args.assert) {
    // keepwarm must never send a text twice or lose one, crash included.
    const wrong = [];
    for (const name of ["burn_down", "lateness", "crash"]) {
      const kw = report[name] && report[name].keepwarm;
      if (kw && (kw.duplicates !== 0 || kw.missing !== 0)) {
        wrong.push(`${name}: ${kw.duplicates} duplicates, ${kw.missing} missing`);
      }
    }
    if (wrong.length) fail(`keepwarm at the stub: ${wrong.join("; ")}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
