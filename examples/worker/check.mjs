// Checks the built example Worker end to end and keeps d1orm's cost to a Worker in budget:
//
//   node examples/worker/check.mjs [BUILD_DIR]     (default target/d1orm-example-worker)
//   node examples/worker/check.mjs --measure-baseline [BUILD_DIR]
//
// 1. Size: d1orm may add at most 60 KB (61,440 B) compressed to a Worker. The example's
//    .wasm (after wasm-bindgen), compressed at level 9 by node's zlib, must not pass
//    the baseline plus that addition, the baseline being the .wasm of the same routes
//    through workers-rs alone (bench/worker-baseline), as size-budget.txt records it.
//    The baseline is recorded rather than built here (a second fat-LTO Worker build on
//    every run); the record names what the baseline was built from (its sources' hash,
//    the workers-rs, wasm-bindgen and rustc versions), and this check refuses to run
//    when they no longer match. `--measure-baseline` (after bench/worker-baseline/
//    build.sh) prints the record's lines for the baseline just built, and stops.
// 2. tests/local-d1/server.mjs serves the Worker in workerd (miniflare) with a D1
//    binding `DB` to which migrations/ is applied; the routes are requested over HTTP
//    (upsert, create with RETURNING, list with a filter and an order, get by id, a typed
//    batch, a batch of inserts, foreign-key failures, a project's Durable Object on its
//    own SQLite storage) and every JSON answer is compared with the expected one.
//
// Exits 1 on any difference, on a size over budget, on a stale baseline, or when
// anything takes too long (each request 20 s, the server's start 120 s, the whole
// check 240 s).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import zlib from "node:zlib";
import crypto from "node:crypto";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const args = process.argv.slice(2);
const measureBaseline = args[0] === "--measure-baseline";
if (measureBaseline) args.shift();
const target = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const dir = path.resolve(args[0] ?? path.join(target, "d1orm-example-worker"));
const started = Date.now();
let server;

function fail(message) {
  console.error(`example worker: FAILED: ${message}`);
  if (server && server.exitCode === null) server.kill("SIGTERM");
  process.exit(1);
}
const overall = setTimeout(() => fail("the check took more than 240 s"), 240_000);

// --- size budget -------------------------------------------------------------------
const gzipSize = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;

// What the baseline .wasm is built from: its sources (hashed) and its tool chain, as
// this repository names them now.
function baselineInputs() {
  const base = path.join(root, "bench/worker-baseline");
  const files = ["Cargo.toml", "build.sh"];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(base, rel), { withFileTypes: true })) {
      const name = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(name);
      else if (name.endsWith(".rs")) files.push(name);
    }
  };
  walk("src");
  const hash = crypto.createHash("sha256");
  for (const name of files.sort()) hash.update(`${name}\0`).update(fs.readFileSync(path.join(base, name))).update("\0");
  const lockPath = path.join(root, "Cargo.lock");
  if (!fs.existsSync(lockPath)) fail(`${lockPath} is missing: build the example first (examples/worker/build.sh)`);
  const lock = fs.readFileSync(lockPath, "utf8");
  const locked = (name) =>
    lock.match(new RegExp(`\\[\\[package\\]\\]\\nname = "${name}"\\nversion = "([^"]+)"`))?.[1] ?? "absent";
  const rustc =
    fs.readFileSync(path.join(root, "rust-toolchain.toml"), "utf8").match(/^channel\s*=\s*"([^"]+)"/m)?.[1] ?? "absent";
  return {
    sources: hash.digest("hex").slice(0, 16),
    worker: locked("worker"),
    "wasm-bindgen": locked("wasm-bindgen"),
    rustc,
  };
}

const inputs = baselineInputs();
const wasmPath = path.join(dir, "d1orm_example_worker_bg.wasm");
if (!fs.existsSync(wasmPath)) fail(`${wasmPath} is missing: run examples/worker/build.sh`);
const wasm = fs.readFileSync(wasmPath);
const gzip = gzipSize(wasm);

if (measureBaseline) {
  const basePath = path.join(target, "d1orm-worker-baseline", "d1orm_worker_baseline_bg.wasm");
  if (!fs.existsSync(basePath)) fail(`${basePath} is missing: run bench/worker-baseline/build.sh`);
  const base = fs.readFileSync(basePath);
  const baseGzip = gzipSize(base);
  console.log(`baseline ${baseGzip}`);
  for (const [key, value] of Object.entries(inputs)) console.log(`${key} ${value}`);
  console.error(
    `example worker: baseline .wasm ${base.length} B raw, ${baseGzip} B gzip; the example's ` +
      `${wasm.length} B raw, ${gzip} B gzip: d1orm adds ${gzip - baseGzip} B ` +
      `(put the lines above in examples/worker/size-budget.txt)`,
  );
  process.exit(0);
}

const budgetFile = path.join(here, "size-budget.txt");
const record = Object.fromEntries(
  fs
    .readFileSync(budgetFile, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(/\s+/, 2)),
);
const addition = Number(record.addition);
const baseline = Number(record.baseline);
if (!Number.isInteger(addition) || !Number.isInteger(baseline)) {
  fail(`${budgetFile} holds no \`addition\` and \`baseline\` (numbers of bytes)`);
}
const stale = Object.entries(inputs).filter(([key, value]) => record[key] !== value);
if (stale.length > 0) {
  fail(
    `the baseline in ${budgetFile} was measured for ` +
      stale.map(([key]) => `${key} ${record[key] ?? "(none)"}`).join(", ") +
      `; this repository now has ` +
      stale.map(([key, value]) => `${key} ${value}`).join(", ") +
      `: run bench/worker-baseline/build.sh && node examples/worker/check.mjs ` +
      `--measure-baseline, and put the lines it prints in size-budget.txt`,
  );
}
const budget = baseline + addition;
console.error(
  `example worker: .wasm ${wasm.length} B raw, ${gzip} B gzip (level 9): d1orm adds ` +
    `${gzip - baseline} B to the workers-rs baseline (${baseline} B), at most ${addition} B`,
);
if (gzip > budget) {
  fail(
    `the example Worker's .wasm is ${gzip} B gzip (level 9), ${gzip - baseline} B more than the ` +
      `same routes through workers-rs alone (${baseline} B, bench/worker-baseline): over ` +
      `the ${addition} B d1orm may add, by ${gzip - budget} B. Find what grew ` +
      `(bench/WORKER-SIZE.md says how to see where the bytes go)`,
  );
}

// --- serve it ---------------------------------------------------------------------
server = spawn(process.execPath, [path.join(root, "tests/local-d1/server.mjs")], {
  env: {
    ...process.env,
    LOCAL_D1_WORKER_DIR: dir,
    LOCAL_D1_BINDING_NAMES: "DB",
    LOCAL_D1_MIGRATIONS: path.join(here, "migrations"),
    LOCAL_D1_OBJECTS: "ACTIVITY=ActivityLog",
  },
  stdio: ["pipe", "pipe", "inherit"],
});
let stopping = false;
server.on("exit", (code, signal) => {
  if (!stopping) fail(`the server exited (${code ?? signal}) before the check ended`);
});
const lines = readline.createInterface({ input: server.stdout })[Symbol.asyncIterator]();
const ready = await Promise.race([
  lines.next(),
  new Promise((resolve) => setTimeout(() => resolve(null), 120_000)),
]);
if (!ready) fail("the server was not ready after 120 s");
let url;
try {
  url = JSON.parse(ready.value).url;
} catch {}
if (!url) fail(`the server printed ${JSON.stringify(ready.value)} instead of a ready line with a url`);

async function request(method, route, body) {
  const res = await fetch(new URL(route, url), {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`${method} ${route}: HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
  return { status: res.status, json };
}

async function expect(method, route, body, status, expected) {
  const got = await request(method, route, body);
  try {
    assert.equal(got.status, status, "status");
    if (typeof expected === "function") expected(got.json);
    else assert.deepEqual(got.json, expected);
  } catch (e) {
    fail(`${method} ${route}: ${e.message}\n  answer: HTTP ${got.status} ${JSON.stringify(got.json)}`);
  }
  console.error(`example worker: ${method} ${route} -> ${got.status} ok`);
}

try {
  const docs = { id: 2, project: "demo", title: "write docs", done: false, priority: 2 };
  const ship = { id: 1, project: "demo", title: "ship", done: false, priority: 0 };
  await expect("PUT", "/projects/demo", { name: "Demo" }, 200, { slug: "demo", name: "Demo" });
  await expect("POST", "/tasks", { project: "demo", title: "ship" }, 201, ship);
  await expect("POST", "/tasks", { project: "demo", title: "write docs", priority: 2 }, 201, docs);
  // The list: filtered by project, highest priority first.
  await expect("GET", "/projects/demo/tasks", undefined, 200, [docs, ship]);
  await expect("GET", "/projects/demo/tasks?done=true", undefined, 200, []);
  await expect("GET", "/projects/demo/tasks?done=false", undefined, 200, [docs, ship]);
  await expect("GET", "/tasks/2", undefined, 200, docs);
  await expect("GET", "/tasks/99", undefined, 404, (j) => assert.match(j.error, /tasks/));
  // The upsert renames the existing row; the batch reads it with its counts.
  await expect("PUT", "/projects/demo", { name: "Demo 2" }, 200, { slug: "demo", name: "Demo 2" });
  await expect("GET", "/projects/demo", undefined, 200, {
    project: { slug: "demo", name: "Demo 2" },
    tasks: 2,
    open: [docs, ship],
  });
  // A task of a project that does not exist: D1's foreign key error, as 409.
  await expect("POST", "/tasks", { project: "nope", title: "x" }, 409, (j) =>
    assert.match(j.error, /FOREIGN KEY constraint failed/),
  );
  // Many inserts in one batch; a batch of which one statement fails applies nothing.
  await expect("POST", "/projects/demo/tasks", { titles: ["a", "b"] }, 201, { inserted: 2 });
  await expect("POST", "/projects/nope/tasks", { titles: ["c"] }, 409, (j) =>
    assert.match(j.error, /FOREIGN KEY constraint failed/),
  );
  await expect("GET", "/projects/demo", undefined, 200, (j) => assert.equal(j.tasks, 4));
  // The project's Durable Object: migrated on its first request, then its own SQLite.
  await expect("GET", "/projects/demo/activity", undefined, 200, { count: 0, latest: [] });
  await expect("POST", "/projects/demo/activity", { kind: "created" }, 201, { id: 1, kind: "created", detail: null });
  await expect("POST", "/projects/demo/activity", { kind: "renamed", detail: "Demo 2" }, 201, {
    id: 2,
    kind: "renamed",
    detail: "Demo 2",
  });
  await expect("GET", "/projects/demo/activity", undefined, 200, {
    count: 2,
    latest: [
      { id: 2, kind: "renamed", detail: "Demo 2" },
      { id: 1, kind: "created", detail: null },
    ],
  });
  // Each project has its own object, its own database.
  await expect("GET", "/projects/other/activity", undefined, 200, { count: 0, latest: [] });
  await expect("POST", "/projects/demo/activity", { detail: "no kind" }, 400, (j) => assert.match(j.error, /kind/));
} catch (e) {
  fail(e?.stack ?? String(e));
}

// --- stop the server: closing its stdin ends it ---------------------------------------
stopping = true;
const exited = new Promise((resolve) => server.on("exit", resolve));
server.stdin.end();
const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000).unref())]);
if (!stopped) {
  server.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
}
clearTimeout(overall);
console.error(`example worker: all routes answered as expected in ${Date.now() - started} ms`);
// Nothing of the check may keep the process alive (fetch's idle connections, the reader).
process.exit(0);
