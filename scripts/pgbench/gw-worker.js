// One graphile-worker process for the comparison (started by compare.js, killed by it).
//
// Two tasks: `send` posts the job's text to the loopback stub exactly as keepwarm's Twilio adapter
// does (Twilio's CreateMessage form, basic auth, keep-alive), `noop` does nothing. Settings come
// from the environment: GW_URL (the database), GW_CONCURRENCY, GW_POLL_MS, STUB_URL. Only warnings
// and errors are logged: graphile-worker logs every completed job at INFO, and printing 200,000
// lines would be charged to it.
"use strict";

const http = require("node:http");
const { run, Logger } = require("graphile-worker");

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const auth = "Basic " + Buffer.from(`${ACCOUNT}:bench-token`).toString("base64");
const stub = new URL(process.env.STUB_URL);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(to, body) {
  const data = new URLSearchParams({ To: to, From: "+13125550100", Body: body }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: stub.hostname,
        port: stub.port,
        path: `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(data),
          authorization: auth,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`stub answered ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[gw ${level}] ${message}`);
});

const concurrency = Number(process.env.GW_CONCURRENCY || 32);

(async () => {
  const runner = await run({
    connectionString: process.env.GW_URL,
    concurrency,
    // graphile-worker warns below concurrency + 2 connections.
    maxPoolSize: concurrency + 2,
    pollInterval: Number(process.env.GW_POLL_MS || 2000),
    noHandleSignals: false,
    logger,
    taskList: {
      send: async (p) => post(p.to, `Hi, this is Lakeside Motors following up (job ${p.g}).`),
      noop: async () => {},
    },
  });
  console.log("ready");
  await runner.promise;
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
