// A module Worker that executes one d1orm test request against a real D1 binding.
//
// POST / with a JSON body {"db": "DB12", "op": ..., ...} (see README.md).
// The response body is always JSON: {"ok": true, "result": R} or
// {"ok": false, "error": {"message", "name", "cause"}}.

// Turns a parameter from the JSON protocol into the JS value handed to bind().
function decodeParam(p) {
  if (p !== null && typeof p === "object" && !Array.isArray(p)) {
    if (Object.hasOwn(p, "blob")) return new Uint8Array(p.blob).buffer;
    if (Object.hasOwn(p, "bigint")) return BigInt(p.bigint);
    if (Object.hasOwn(p, "undefined")) return undefined;
    if (Object.hasOwn(p, "object")) return p.object;
  }
  return p;
}

// Makes whatever D1 returned JSON-safe: ArrayBuffers and typed arrays become
// {"blob": [bytes]}; a non-finite number {"nonfinite": "Infinity"} (JSON.stringify
// would write null, and hide that D1 gave a number); everything else keeps its shape.
function encodeValue(v) {
  if (typeof v === "number" && !Number.isFinite(v)) return { nonfinite: String(v) };
  if (v instanceof ArrayBuffer) return { blob: Array.from(new Uint8Array(v)) };
  if (ArrayBuffer.isView(v)) {
    return { blob: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v !== null && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeValue(x);
    return out;
  }
  if (typeof v === "bigint") return v.toString();
  return v;
}

function encodeError(e) {
  if (e !== null && typeof e === "object") {
    return {
      message: typeof e.message === "string" ? e.message : String(e),
      name: typeof e.name === "string" ? e.name : null,
      cause:
        e.cause && typeof e.cause === "object" && typeof e.cause.message === "string"
          ? e.cause.message
          : e.cause !== undefined && e.cause !== null
            ? String(e.cause)
            : null,
    };
  }
  return { message: String(e), name: null, cause: null };
}

// Builds a (possibly bound) statement; bind() is called only when params is present.
function statement(target, sql, params) {
  const stmt = target.prepare(sql);
  return params === undefined ? stmt : stmt.bind(...params.map(decodeParam));
}

// Runs one statement-level op (all/run/first/raw/batch) on a database or a session.
async function runOp(target, req) {
  switch (req.op) {
    case "all":
      return await statement(target, req.sql, req.params).all();
    case "run":
      return await statement(target, req.sql, req.params).run();
    case "first": {
      const stmt = statement(target, req.sql, req.params);
      return req.column === undefined ? await stmt.first() : await stmt.first(req.column);
    }
    case "raw": {
      const stmt = statement(target, req.sql, req.params);
      return req.columnNames === undefined
        ? await stmt.raw()
        : await stmt.raw({ columnNames: req.columnNames });
    }
    case "batch":
      return await target.batch(
        (req.statements ?? []).map((s) => statement(target, s.sql, s.params)),
      );
    default:
      throw new Error(`local-d1 harness: unknown op ${JSON.stringify(req.op)}`);
  }
}

function b64(buf) {
  const bytes = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

async function handle(req, env) {
  const db = env[req.db];
  if (typeof req.db !== "string" || !db || typeof db.prepare !== "function") {
    throw new Error(`local-d1 harness: no D1 binding named ${JSON.stringify(req.db)}`);
  }
  switch (req.op) {
    case "exec":
      return await db.exec(req.sql);
    case "dump":
      return b64(await db.dump());
    case "session": {
      const session = req.constraint === undefined ? db.withSession() : db.withSession(req.constraint);
      const results = [];
      const bookmarks = [session.getBookmark()];
      for (const step of req.steps ?? []) {
        let response;
        try {
          response = { ok: true, result: encodeValue(await runOp(session, step)) };
        } catch (e) {
          response = { ok: false, error: encodeError(e) };
        }
        results.push(response);
        bookmarks.push(session.getBookmark());
        if (!response.ok) break;
      }
      return { results, bookmarks };
    }
    default:
      return await runOp(db, req);
  }
}

export default {
  async fetch(request, env) {
    let body;
    try {
      const req = await request.json();
      body = { ok: true, result: encodeValue(await handle(req, env)) };
    } catch (e) {
      body = { ok: false, error: encodeError(e) };
    }
    return new Response(JSON.stringify(body), {
      headers: { "content-type": "application/json" },
    });
  },
};
