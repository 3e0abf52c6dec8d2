// keepwarm's workspace in a real browser (Debian's Chromium through playwright-core): sign in,
// see a hot reply appear on Today without reloading (SSE), open the lead, reply with a template,
// watch the escalation clear, reassign and book an appointment as the manager; see a breached
// escalation on Today, the Reports (funnel charts, audit), Compliance and Settings pages as the
// manager; a salesperson cannot open another owner's lead nor the manager pages; a form post
// without the CSRF token is refused; the pages work at 375 px and from the keyboard; axe-core
// finds no serious or critical violation on any page.
// Screenshots go to $SCREENSHOTS (default target/browser); `scripts/screenshots` puts the
// README's in docs/screenshots.
//
// Needs: target/debug/keepwarm (or $KEEPWARM_BIN), /usr/bin/chromium (or $CHROMIUM),
// `npm ci` in this directory. Exits non-zero on the first failed check.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "../..");
const bin = process.env.KEEPWARM_BIN || path.join(root, "target/debug/keepwarm");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const shots = path.resolve(process.env.SCREENSHOTS || path.join(root, "target/browser"));
const port = Number(process.env.PORT || 18941);
const base = `http://127.0.0.1:${port}`;
const TOKEN = "browser-token";
const PASSWORD = "correct horse battery";
const axePath = path.join(here, "node_modules/axe-core/axe.min.js");

fs.mkdirSync(shots, { recursive: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keepwarm-browser-"));
const db = `sqlite://${dir}/kw.db`;

function step(text) { console.log(`- ${text}`); }

const server = spawn(bin, ["serve", "--sandbox", "--clock", "manual:2026-12-01T15:00:00Z", "--db", db, "--listen", `127.0.0.1:${port}`], {
  env: { ...process.env, KEEPWARM_API_TOKEN: TOKEN, RUST_LOG: "warn" },
  stdio: ["ignore", "inherit", "inherit"],
});
let browser;
const cleanup = () => { server.kill("SIGTERM"); };
process.on("exit", cleanup);

async function api(method, url, body) {
  const r = await fetch(base + url, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${url}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function lead(owner, phone, first) {
  return {
    owner,
    source: { kind: "internet", provider: "Cars.com", provider_lead_id: `cars-${phone}` },
    customer: { first_name: first, last_name: "Reyes", phones: [phone], emails: [`${first.toLowerCase()}@example.com`] },
    vehicles: [{ interest: "buy", condition: "used", year: 2022, make: "Honda", model: "CR-V", trim: "EX" }],
    payment: { monthly_target: 450 },
    comments: "Looking to buy this month.",
  };
}

async function axeCheck(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const detail = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`).join("\n");
  assert.equal(bad.length, 0, `axe-core on ${name}:\n${detail}`);
  step(`axe-core: no serious or critical violation on ${name} (${result.violations.length} minor)`);
}

async function fitsPhone(page, name) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `${name} is ${width}px wide at 375px`);
}

async function signIn(context, login) {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login\?next=/);
  await page.fill("#login", login);
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);
  return page;
}

try {
  for (let i = 0; i < 50; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  // `keepwarm serve` made the database; passwords are set as an operator would, from stdin.
  for (const who of ["sam", "alex", "morgan"]) {
    execFileSync(bin, ["staff", "set-password", who, "--db", db], { input: `${PASSWORD}\n`, stdio: ["pipe", "inherit", "inherit"] });
  }
  const dana = (await api("POST", "/api/v1/leads", lead("sam", "+13125550201", "Dana"))).id;
  const quinn = (await api("POST", "/api/v1/leads", lead("alex", "+13125550202", "Quinn"))).id;
  step(`leads ${dana} (Sam's) and ${quinn} (Alex's)`);

  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  // bypassCSP only so axe-core can be injected; the pages' own policy is checked by the API tests.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });

  const login = await desk.newPage();
  await login.goto(`${base}/login`);
  await axeCheck(login, "the sign-in page");
  await login.screenshot({ path: path.join(shots, "login.png") });
  await login.close();

  const sam = await signIn(desk, "sam");
  step("Sam signed in");
  await axeCheck(sam, "Today");
  let navigations = 0;
  sam.on("framenavigated", (f) => { if (f === sam.mainFrame()) navigations++; });
  // Let the live stream connect before the reply arrives.
  await sam.waitForTimeout(1000);
  await api("POST", "/api/v1/sandbox/inbound", { from: "+13125550201", body: "Can I come see it Saturday morning?" });
  const started = Date.now();
  await sam.waitForFunction(() => document.querySelector("#waiting-h")?.closest("section")?.textContent.includes("Dana Reyes"), null, { timeout: 5000 });
  assert.equal(navigations, 0, "Today redrew itself without reloading");
  step(`the hot reply appeared on Today without reloading after ${Date.now() - started} ms`);
  await sam.screenshot({ path: path.join(shots, "today.png"), fullPage: true });

  await sam.click(`#today section:has(#waiting-h) a[href="/leads/${dana}"]`);
  await sam.waitForURL(`${base}/leads/${dana}`);
  await axeCheck(sam, "the lead page");
  await sam.selectOption("#block", "appointment_options");
  await sam.click("text=Use template");
  await sam.waitForURL(/block=appointment_options/);
  const drafted = await sam.inputValue("#body");
  assert.ok(drafted.length > 20, `the template filled the reply: ${drafted}`);
  await sam.screenshot({ path: path.join(shots, "lead.png"), fullPage: true });
  await sam.fill("#body", `${drafted} (Sam)`);
  await sam.click("form[action$='/reply'] button[type=submit]");
  await sam.waitForURL(/done=reply/);
  assert.ok((await sam.textContent(".notice")).includes("on its way"));
  step("Sam replied with the appointment_options template");
  await sam.goto(`${base}/`);
  assert.ok((await sam.textContent("#today")).includes("Nobody is waiting on an answer."), "the escalation cleared");
  step("the escalation cleared from Today");

  const other = await sam.goto(`${base}/leads/${quinn}`);
  assert.equal(other.status(), 404, "Sam cannot open Alex's lead");
  step("Sam gets 404 for Alex's lead");
  for (const page of ["/reports", "/compliance", "/settings"]) {
    assert.equal((await sam.goto(`${base}${page}`)).status(), 403, `Sam may not open ${page}`);
  }
  step("Sam gets 403 for Reports, Compliance and Settings");
  const before = (await api("GET", `/api/v1/leads/${dana}`)).status;
  const csrf = await sam.evaluate(async (id) => (await fetch(`/leads/${id}/pause`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "reason=test",
  })).status, dana);
  assert.equal(csrf, 403, "a post without the CSRF token is refused");
  assert.equal((await api("GET", `/api/v1/leads/${dana}`)).status, before, "and changed nothing");
  step("a form post without the CSRF token is refused (403)");

  await sam.goto(`${base}/leads?q=${encodeURIComponent("(312) 555-0201")}`);
  assert.ok((await sam.textContent("main")).includes("Dana Reyes"), "search by phone in another format");
  await axeCheck(sam, "the leads list");
  await sam.screenshot({ path: path.join(shots, "leads.png"), fullPage: true });

  await sam.goto(`${base}/inbox`);
  await axeCheck(sam, "the inbox");
  await sam.goto(`${base}/tasks`);
  await axeCheck(sam, "the tasks");

  // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
  await sam.goto(`${base}/`);
  await sam.keyboard.press("Tab");
  assert.equal(await sam.evaluate(() => document.activeElement.textContent), "Skip to content");
  await sam.keyboard.press("Enter");
  assert.equal(await sam.evaluate(() => document.activeElement.id), "main");
  step("keyboard: skip link first, then the content");

  const manager = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const morgan = await signIn(manager, "morgan");
  await axeCheck(morgan, "Today for a manager");
  await morgan.goto(`${base}/leads/${dana}`);
  await morgan.click("summary:has-text('Reassign')");
  await morgan.selectOption("#owner", "alex");
  await morgan.fill("#reassign-reason", "Sam is off on Saturday");
  await morgan.click("form[action$='/reassign'] button[type=submit]");
  await morgan.waitForURL(/done=reassign/);
  assert.equal((await api("GET", `/api/v1/leads/${dana}`)).owner.id, "alex");
  step("Morgan reassigned the lead to Alex");
  await morgan.click("summary:has-text('Record an outcome')");
  await morgan.selectOption("#stage", "appointment_set");
  await morgan.fill("#appointment_at", "2026-12-05T10:00");
  await morgan.click("form[action$='/outcome'] button[type=submit]");
  await morgan.waitForURL(/done=outcome/);
  const booked = await api("GET", `/api/v1/leads/${dana}`);
  assert.equal(booked.stage, "appointment_set");
  assert.equal(booked.appointment.starts_at, "2026-12-05T16:00:00Z");
  step("Morgan booked an appointment for Saturday 10:00 local");

  // A hot reply nobody answers: 20 minutes on, its escalation is breached and has its own card.
  await api("POST", "/api/v1/leads", lead("sam", "+13125550203", "Riley"));
  await api("POST", "/api/v1/sandbox/inbound", { from: "+13125550203", body: "Can you do $400 a month on the CR-V?" });
  await api("POST", "/api/v1/sandbox/inbound", { from: "+13125550202", body: "STOP" });
  await api("POST", "/api/v1/sandbox/clock", { advance: "PT20M" });
  await morgan.goto(`${base}/`);
  const breached = await morgan.textContent("section:has(#breached-h)");
  assert.ok(breached.includes("Riley Reyes"), `the breached card: ${breached}`);
  await axeCheck(morgan, "Today with a breached escalation");
  await morgan.screenshot({ path: path.join(shots, "today-manager.png"), fullPage: true });
  step("a breached escalation has its own card on Today");

  await morgan.goto(`${base}/reports`);
  assert.equal(await morgan.locator("svg.chart").count(), 4, "four rate charts");
  assert.ok((await morgan.textContent("main")).includes("Escalation SLA by owner"));
  await axeCheck(morgan, "Reports");
  await morgan.screenshot({ path: path.join(shots, "reports.png"), fullPage: true });
  await morgan.selectOption("#by", "owner");
  await morgan.click("form.filters button[type=submit]");
  await morgan.waitForURL(/by=owner/);
  assert.ok((await morgan.textContent("main")).includes("Funnel by owner"));
  await morgan.goto(`${base}/reports/audit?week=2026-W49`);
  assert.ok(await morgan.locator(`main a[href^="/leads/"]`).count() > 0, "the audit links its leads");
  await axeCheck(morgan, "the follow-up audit");
  step("Reports: the funnel as charts with intervals, by owner too, and the audit in-app");

  await morgan.goto(`${base}/compliance`);
  const compliance = await morgan.textContent("main");
  assert.ok(compliance.includes("Opt-outs (1)") && compliance.includes("Quinn Reyes"), compliance);
  await axeCheck(morgan, "Compliance");
  await morgan.fill("#kill-reason", "Carrier audit this morning");
  await morgan.click("form[action='/compliance/kill-switch'] button[type=submit]");
  await morgan.waitForURL(/done=engaged/);
  assert.equal((await api("GET", "/api/v1/kill-switch")).engaged, true, "the kill switch is engaged");
  assert.ok((await morgan.textContent("#kill-h + p")).includes("engaged"));
  await axeCheck(morgan, "Compliance with the kill switch engaged");
  await morgan.screenshot({ path: path.join(shots, "compliance.png"), fullPage: true });
  await morgan.fill("#kill-reason", "Audit done");
  await morgan.click("form[action='/compliance/kill-switch'] button[type=submit]");
  await morgan.waitForURL(/done=released/);
  assert.equal((await api("GET", "/api/v1/kill-switch")).engaged, false, "and released");
  step("Morgan engaged and released the kill switch from Compliance");
  await morgan.goto(`${base}/settings`);
  assert.ok((await morgan.textContent("main")).includes("America/Chicago"));
  await axeCheck(morgan, "Settings");
  await morgan.screenshot({ path: path.join(shots, "settings.png"), fullPage: true });
  step("Compliance shows the opt-out; Settings the configuration in force");

  const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, bypassCSP: true });
  const small = await signIn(phone, "morgan");
  await fitsPhone(small, "Today");
  await small.screenshot({ path: path.join(shots, "today-375.png"), fullPage: true });
  await small.goto(`${base}/leads/${dana}`);
  await fitsPhone(small, "the lead page");
  await axeCheck(small, "the lead page at 375 px");
  await small.screenshot({ path: path.join(shots, "lead-375.png"), fullPage: true });
  await small.goto(`${base}/leads`);
  await fitsPhone(small, "the leads list");
  for (const [page, name] of [["/reports", "Reports"], ["/compliance", "Compliance"], ["/settings", "Settings"]]) {
    await small.goto(`${base}${page}`);
    await fitsPhone(small, name);
    await axeCheck(small, `${name} at 375 px`);
  }
  await small.goto(`${base}/reports`);
  await small.screenshot({ path: path.join(shots, "reports-375.png"), fullPage: true });
  // Wide tables scroll sideways rather than squeezing their headings a word a line, and the
  // definitions read across the screen, not in a narrow column beside their terms.
  const tallest = await small.evaluate(() => Math.max(...[...document.querySelectorAll("thead th")].map((th) => th.getBoundingClientRect().height)));
  assert.ok(tallest <= 72, `a Reports heading is ${tallest}px tall at 375 px (squeezed a word a line)`);
  const narrowest = await small.evaluate(() => Math.min(...[...document.querySelectorAll("#defs-h ~ dl dd")].map((dd) => dd.getBoundingClientRect().width)));
  assert.ok(narrowest >= 280, `a definition on Reports is ${narrowest}px wide at 375 px`);
  step("Today, the lead page, the leads list, Reports, Compliance and Settings fit 375 px");

  console.log(`browser tests passed; screenshots in ${shots}`);
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
}
