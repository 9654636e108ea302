// Request latency in workerd of the example Worker (d1orm) against the same routes
// through workers-rs alone (bench/worker-baseline), for a point lookup by primary key
// (`GET /tasks/:id`) and a batch of 100 INSERT statements (`POST /projects/:slug/tasks`).
// Build both first:
//
//   examples/worker/build.sh && bench/worker-baseline/build.sh
//   node bench/worker-latency.mjs [REQUESTS]      (default 200 of each route per Worker)
//
// Each Worker is served by tests/local-d1/server.mjs (miniflare, a D1 binding `DB` with
// examples/worker/migrations/ applied), as examples/worker/check.mjs serves the example.
// First both answer the same requests and their answers are compared (the same JSON;
// errors by status), then after a warm-up the requests are timed from this process over
// HTTP, interleaved (d1orm, workers-rs, then workers-rs, d1orm, ...) so that both see the
// same machine load. Prints the .wasm sizes and a Markdown table of medians and p90.
// Not part of ./scripts/test.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import zlib from "node:zlib";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const target = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const REQUESTS = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const BATCH = 100;

const workers = [
  { name: "d1orm", dir: path.join(target, "d1orm-example-worker"), wasm: "d1orm_example_worker_bg.wasm" },
  { name: "workers-rs", dir: path.join(target, "d1orm-worker-baseline"), wasm: "d1orm_worker_baseline_bg.wasm" },
];

const servers = [];
function fail(message) {
  console.error(`worker latency: FAILED: ${message}`);
  for (const s of servers) if (s.exitCode === null) s.kill("SIGTERM");
  process.exit(1);
}

for (const w of workers) {
  const file = path.join(w.dir, w.wasm);
  if (!fs.existsSync(file)) {
    fail(`${file} is missing: run examples/worker/build.sh and bench/worker-baseline/build.sh`);
  }
  const bytes = fs.readFileSync(file);
  w.raw = bytes.length;
  w.gzip = zlib.gzipSync(bytes, { level: 9 }).length;
}

async function serve(w) {
  const server = spawn(process.execPath, [path.join(root, "tests/local-d1/server.mjs")], {
    env: {
      ...process.env,
      LOCAL_D1_WORKER_DIR: w.dir,
      LOCAL_D1_BINDING_NAMES: "DB",
      LOCAL_D1_MIGRATIONS: path.join(root, "examples/worker/migrations"),
    },
    stdio: ["pipe", "pipe", "inherit"],
  });
  servers.push(server);
  server.on("exit", (code, signal) => {
    if (!w.stopping) fail(`the ${w.name} server exited (${code ?? signal})`);
  });
  const lines = readline.createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  const ready = await Promise.race([lines.next(), new Promise((r) => setTimeout(() => r(null), 120_000))]);
  if (!ready) fail(`the ${w.name} server was not ready after 120 s`);
  w.url = JSON.parse(ready.value).url;
  w.server = server;
}

async function request(w, method, route, body) {
  const res = await fetch(new URL(route, w.url), {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    fail(`${w.name}: ${method} ${route}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
}

/// Both Workers answer the same: the same JSON, or for an error the same status.
async function same(method, route, body) {
  const [a, b] = await Promise.all(workers.map((w) => request(w, method, route, body)));
  try {
    assert.equal(b.status, a.status, "status");
    if (a.status < 400) assert.deepEqual(b.json, a.json);
  } catch (e) {
    fail(`${method} ${route}: the Workers differ: ${e.message}\n  d1orm: ${JSON.stringify(a.json)}\n  workers-rs: ${JSON.stringify(b.json)}`);
  }
  return a;
}

const titles = (n, prefix) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
const point = (w) => request(w, "GET", "/tasks/50");
const batch = (w) => request(w, "POST", "/projects/bench/tasks", { titles: titles(BATCH, "bulk") });

function stats(times) {
  const s = [...times].sort((x, y) => x - y);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p90: at(0.9) };
}

try {
  await Promise.all(workers.map(serve));

  // --- the same answers ------------------------------------------------------------
  await same("PUT", "/projects/demo", { name: "Demo" });
  await same("POST", "/tasks", { project: "demo", title: "ship" });
  await same("POST", "/tasks", { project: "demo", title: "write docs", priority: 2 });
  await same("GET", "/projects/demo/tasks");
  await same("GET", "/projects/demo/tasks?done=false");
  await same("GET", "/projects/demo/tasks?done=true");
  await same("GET", "/tasks/2");
  await same("GET", "/tasks/99");
  await same("PUT", "/projects/demo", { name: "Demo 2" });
  await same("GET", "/projects/demo");
  await same("POST", "/tasks", { project: "nope", title: "x" });
  await same("POST", "/projects/nope/tasks", { titles: ["c"] });
  await same("PUT", "/projects/bench", { name: "Bench" });
  const seeded = await same("POST", "/projects/bench/tasks", { titles: titles(BATCH, "seed") });
  assert.deepEqual(seeded.json, { inserted: BATCH });
  await same("GET", "/tasks/50");
  console.error("worker latency: both Workers gave the same answers");

  // --- timed, interleaved ------------------------------------------------------------
  const routes = [
    { name: `point lookup (\`GET /tasks/:id\`)`, run: point },
    { name: `batch of ${BATCH} INSERTs (\`POST /projects/:slug/tasks\`)`, run: batch },
  ];
  for (const route of routes) {
    route.times = workers.map(() => []);
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const t0 = process.hrtime.bigint();
        const res = await route.run(workers[k]);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.status >= 400) fail(`${workers[k].name}: ${route.name}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
        if (i >= WARMUP) route.times[k].push(ms);
      }
    }
  }

  // --- report --------------------------------------------------------------------------
  const [d, b] = workers;
  const n = (x) => x.toLocaleString("en-US");
  const out = [];
  out.push("| `.wasm` | raw | gzip -9 (node's zlib) |", "|---|---:|---:|");
  out.push(`| d1orm (examples/worker) | ${n(d.raw)} B | ${n(d.gzip)} B |`);
  out.push(`| workers-rs alone (bench/worker-baseline) | ${n(b.raw)} B | ${n(b.gzip)} B |`);
  out.push(`| what d1orm adds | +${n(d.raw - b.raw)} B | +${n(d.gzip - b.gzip)} B |`);
  out.push("");
  out.push(`| request (${REQUESTS} each, after ${WARMUP} of warm-up) | d1orm median | workers-rs median | d1orm p90 | workers-rs p90 |`);
  out.push("|---|---:|---:|---:|---:|");
  for (const r of routes) {
    const [sd, sb] = r.times.map(stats);
    out.push(`| ${r.name} | ${sd.median.toFixed(2)} ms | ${sb.median.toFixed(2)} ms | ${sd.p90.toFixed(2)} ms | ${sb.p90.toFixed(2)} ms |`);
  }
  console.log(out.join("\n"));
} catch (e) {
  fail(e?.stack ?? String(e));
}

for (const w of workers) {
  w.stopping = true;
  const exited = new Promise((resolve) => w.server.on("exit", resolve));
  w.server.stdin.end();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
  if (w.server.exitCode === null) w.server.kill("SIGTERM");
}
process.exit(0);
