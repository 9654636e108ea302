// Checks the built example Worker end to end and keeps its size in budget:
//
//   node examples/worker/check.mjs [BUILD_DIR]     (default target/d1orm-example-worker)
//
// 1. The gzip -9 size of the Worker's .wasm (after wasm-bindgen) must not pass the
//    budget in size-budget.txt.
// 2. tests/local-d1/server.mjs serves the Worker in workerd (miniflare) with a D1
//    binding `DB` to which migrations/ is applied; the routes are requested over HTTP
//    (upsert, create with RETURNING, list with a filter and an order, get by id, a typed
//    batch, a batch of inserts, foreign-key failures) and every JSON answer is compared
//    with the expected one.
//
// Exits 1 on any difference, on a size over budget, or when anything takes too long
// (each request 20 s, the server's start 120 s, the whole check 240 s).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import zlib from "node:zlib";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const dir = path.resolve(process.argv[2] ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "d1orm-example-worker"));
const started = Date.now();
let server;

function fail(message) {
  console.error(`example worker: FAILED: ${message}`);
  if (server && server.exitCode === null) server.kill("SIGTERM");
  process.exit(1);
}
const overall = setTimeout(() => fail("the check took more than 240 s"), 240_000);

// --- size budget ----------------------------------------------------------------
const wasmPath = path.join(dir, "d1orm_example_worker_bg.wasm");
if (!fs.existsSync(wasmPath)) fail(`${wasmPath} is missing: run examples/worker/build.sh`);
const wasm = fs.readFileSync(wasmPath);
const gzip = zlib.gzipSync(wasm, { level: 9 }).length;
const budgetFile = path.join(here, "size-budget.txt");
const budget = Number(fs.readFileSync(budgetFile, "utf8").match(/^\s*(\d+)/m)?.[1]);
if (!Number.isFinite(budget)) fail(`${budgetFile} holds no budget (a number of bytes on a line)`);
console.error(`example worker: .wasm ${wasm.length} B raw, ${gzip} B gzip -9 (budget ${budget} B)`);
if (gzip > budget) {
  fail(
    `the example Worker's .wasm is ${gzip} B gzip -9, over its budget of ${budget} B ` +
      `(examples/worker/size-budget.txt) by ${gzip - budget} B: find what grew, or raise ` +
      `the budget there and record why in BENCHMARKS.md ("Worker size")`,
  );
}

// --- serve it ---------------------------------------------------------------------
server = spawn(process.execPath, [path.join(root, "tests/local-d1/server.mjs")], {
  env: {
    ...process.env,
    LOCAL_D1_WORKER_DIR: dir,
    LOCAL_D1_BINDING_NAMES: "DB",
    LOCAL_D1_MIGRATIONS: path.join(here, "migrations"),
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
