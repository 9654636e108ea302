// The test Worker's entry module: instantiates wasm-bindgen's output (`--target web`)
// synchronously at start-up and hands each request to the Rust `fetch` that workers-rs'
// `#[event(fetch)]` exports. build.sh copies it next to that output; tests/local-d1/
// server.mjs serves the folder (this module first, the `.wasm` as a CompiledWasm module,
// which workerd imports as a WebAssembly.Module).
import wasmModule from "./d1orm_test_worker_bg.wasm";
import { initSync, fetch as rustFetch } from "./d1orm_test_worker.js";
// The Durable Object class (Durable Object SQLite storage through d1orm), bound by
// tests/local-d1/server.mjs as namespace OBJECTS.
export { SqlObject } from "./d1orm_test_worker.js";

initSync({ module: wasmModule });

export default {
  fetch(req, env, ctx) {
    return rustFetch(req, env, ctx);
  },
};
