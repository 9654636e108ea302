// Runs real local D1 (workerd through miniflare) and serves D1 operations over
// stdin/stdout, one JSON object per line. See README.md for the protocol.
//
// stdout carries protocol lines only: `{"ready":true}` once, then one response
// line per request line, in order. Everything else goes to stderr.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";

// --- stdout is reserved for the protocol -------------------------------------
const stdoutWrite = process.stdout.write.bind(process.stdout);
const writeProtocolLine = (obj) =>
  new Promise((resolve) => stdoutWrite(JSON.stringify(obj) + "\n", () => resolve()));
// Anything else that would print to stdout (miniflare's logger, workerd's
// console output relayed by miniflare, ...) is sent to stderr instead.
process.stdout.write = (chunk, encoding, cb) => process.stderr.write(chunk, encoding, cb);
console.log = console.info = console.debug = (...args) => console.error(...args);

// --- nothing is written to the home folder -----------------------------------
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "d1orm-local-d1-"));
for (const sub of ["config", "tmp", "persist"]) fs.mkdirSync(path.join(tmpRoot, sub));
process.env.XDG_CONFIG_HOME = path.join(tmpRoot, "config");
process.env.TMPDIR = path.join(tmpRoot, "tmp");
process.env.WRANGLER_SEND_METRICS = "false";

function removeTmp() {
  try {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  } catch (e) {
    console.error(`local-d1: could not remove ${tmpRoot}: ${e}`);
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const DATABASES = Number(process.env.LOCAL_D1_DATABASES ?? 1000);

// LOCAL_D1_WORKER_DIR names a built Rust test Worker (tests/worker/build.sh writes
// target/d1orm-test-worker): its modules are served instead of worker.mjs, with the
// same bindings and protocol. Its entry module is shim.mjs; every other `.js`/`.mjs`
// file in the folder or below (wasm-bindgen's `snippets/`) is an ES module, every
// `.wasm` file a CompiledWasm module (a WebAssembly.Module when imported).
const workerDir = process.env.LOCAL_D1_WORKER_DIR ? path.resolve(process.env.LOCAL_D1_WORKER_DIR) : null;

// LOCAL_D1_BINDING_NAMES (comma-separated, such as `DB`) binds one database under each
// name instead of DB0, DB1, ...: an application Worker (examples/worker) names its own.
// LOCAL_D1_MIGRATIONS then names a folder of migration files (`0001_init.sql`, ...)
// applied in name order to the first binding before the ready line, each file as one
// D1 call; and the ready line carries the Worker's address, `{"ready":true,"url":...}`,
// for requests over HTTP. Without LOCAL_D1_BINDING_NAMES nothing changes.
const bindingNames = (process.env.LOCAL_D1_BINDING_NAMES ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const migrationsDir = process.env.LOCAL_D1_MIGRATIONS ? path.resolve(process.env.LOCAL_D1_MIGRATIONS) : null;

// LOCAL_D1_OBJECTS (comma-separated `NAME=Class`, such as `ACTIVITY=ActivityLog`) binds
// a Durable Object namespace with SQLite storage under each NAME, its class exported by
// the Worker. The Rust test Worker (LOCAL_D1_WORKER_DIR without LOCAL_D1_BINDING_NAMES)
// gets `OBJECTS=SqlObject` unless told otherwise: its databases named `DO:<name>`.
const objectsSpec =
  process.env.LOCAL_D1_OBJECTS ?? (workerDir && !bindingNames.length ? "OBJECTS=SqlObject" : "");
const durableObjects = {};
for (const entry of objectsSpec.split(",").map((s) => s.trim()).filter(Boolean)) {
  const [name, className] = entry.split("=").map((s) => s.trim());
  if (!name || !className) throw new Error(`LOCAL_D1_OBJECTS: ${entry} is not NAME=Class`);
  durableObjects[name] = { className, useSQLite: true };
}

function workerScript() {
  if (!workerDir) {
    return {
      modules: true,
      rootPath: here,
      modulesRoot: here, // module paths must not climb out of this folder, whatever the cwd
      scriptPath: path.join(here, "worker.mjs"),
    };
  }
  const entry = "shim.mjs";
  if (!fs.existsSync(path.join(workerDir, entry))) {
    throw new Error(`LOCAL_D1_WORKER_DIR=${workerDir} has no ${entry}: run tests/worker/build.sh`);
  }
  const modules = [{ type: "ESModule", path: path.join(workerDir, entry) }];
  for (const name of fs.readdirSync(workerDir, { recursive: true }).sort()) {
    if (name === entry) continue;
    const type = /\.m?js$/.test(name) ? "ESModule" : name.endsWith(".wasm") ? "CompiledWasm" : null;
    if (type) modules.push({ type, path: path.join(workerDir, name) });
  }
  return { rootPath: workerDir, modulesRoot: workerDir, modules };
}

let mf;
const readyLine = { ready: true };
let watchdog;
let exiting = false;
async function shutdown(code) {
  if (exiting) return;
  exiting = true;
  try {
    if (mf) await mf.dispose();
  } catch (e) {
    console.error(`local-d1: dispose failed: ${e?.stack ?? e}`);
  }
  removeTmp();
  if (watchdog) watchdog.kill();
  process.exit(code);
}

// If this process is killed outright (SIGKILL), miniflare cannot stop workerd.
// A tiny detached watchdog then stops our workerd child and removes the temp
// folder. Linux only (it finds the child through /proc); skipped elsewhere.
function startWatchdog() {
  let children = [];
  try {
    for (const tid of fs.readdirSync(`/proc/${process.pid}/task`)) {
      const list = fs.readFileSync(`/proc/${process.pid}/task/${tid}/children`, "utf8");
      children.push(...list.split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    return;
  }
  const workerd = children.filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd");
    } catch {
      return false;
    }
  });
  const script =
    // Waits while the server lives (a zombie counts as dead: field 3 of /proc/PID/stat is Z).
    'while [ -r "/proc/$1/stat" ] && [ "$(cut -d" " -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; do sleep 1; done; ' +
    'shift; t="$1"; shift; ' +
    '[ "$#" -gt 0 ] && kill "$@" 2>/dev/null; rm -rf "$t"';
  watchdog = spawn("/bin/sh", ["-c", script, "watchdog", String(process.pid), tmpRoot, ...workerd.map(String)], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.on("error", () => {});
  watchdog.unref();
}
process.on("SIGINT", () => shutdown(130));
process.on("SIGTERM", () => shutdown(143));
process.on("SIGHUP", () => shutdown(129));

try {
  // Imported after the environment is set, so the config folder is honoured.
  const { Miniflare, Log, LogLevel, convertV4MiniflareOptions } = await import("miniflare");
  const d1Databases = {};
  // LOCAL_D1_PERSIST and LOCAL_D1_DATABASE_ID serve one existing database as DB0: the
  // state `wrangler d1 ... --local --persist-to X` writes (LOCAL_D1_PERSIST is X/v3).
  const persisted = process.env.LOCAL_D1_PERSIST;
  if (persisted) d1Databases.DB0 = process.env.LOCAL_D1_DATABASE_ID;
  else if (bindingNames.length) for (const name of bindingNames) d1Databases[name] = `db-${name}`;
  else for (let i = 0; i < DATABASES; i++) d1Databases[`DB${i}`] = `db${i}`;
  const started = Date.now();
  mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      log: new Log(LogLevel.WARN),
      handleStructuredLogs: (log) => process.stderr.write(`workerd: ${JSON.stringify(log)}\n`),
      cf: false, // no network fetch of the Request.cf object
      ...workerScript(),
      compatibilityDate: "2025-01-01",
      d1Databases,
      durableObjects,
      resourcePersistencePath: persisted ?? path.join(tmpRoot, "persist"),
      resourceTmpPath: path.join(tmpRoot, "tmp"),
    }),
  );
  const url = await mf.ready;
  startWatchdog();
  if (bindingNames.length && migrationsDir) {
    const db = await mf.getD1Database(bindingNames[0]);
    for (const name of fs.readdirSync(migrationsDir).filter((n) => n.endsWith(".sql")).sort()) {
      await db.prepare(fs.readFileSync(path.join(migrationsDir, name), "utf8")).run();
      console.error(`local-d1: applied ${name} to ${bindingNames[0]}`);
    }
  }
  if (bindingNames.length) readyLine.url = url.href;
  const serving = workerDir ? `the Rust Worker in ${workerDir}` : "worker.mjs";
  const count = bindingNames.length || DATABASES;
  console.error(`local-d1: ${serving} ready with ${count} databases in ${Date.now() - started} ms (${tmpRoot})`);
} catch (e) {
  console.error(`local-d1: failed to start: ${e?.stack ?? e}`);
  await shutdown(1);
}

await writeProtocolLine(readyLine);

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === "") continue;
  let response;
  try {
    JSON.parse(line); // reject malformed lines here, with a clear message
    const res = await mf.dispatchFetch("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: line,
    });
    const text = await res.text();
    try {
      response = JSON.parse(text);
    } catch {
      response = {
        ok: false,
        error: { message: `local-d1 harness: worker answered HTTP ${res.status}: ${text.slice(0, 2000)}`, name: "HarnessError", cause: null },
      };
    }
  } catch (e) {
    response = {
      ok: false,
      error: { message: `local-d1 harness: ${e?.message ?? e}`, name: "HarnessError", cause: null },
    };
  }
  await writeProtocolLine(response);
}
await shutdown(0);
