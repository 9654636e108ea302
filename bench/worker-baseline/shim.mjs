// The baseline Worker's entry module, as examples/worker/shim.mjs: instantiates the Rust
// Worker synchronously at start-up and hands each request to the `fetch` that
// workers-rs' `#[event(fetch)]` exports.
import wasmModule from "./d1orm_worker_baseline_bg.wasm";
import { initSync, fetch as rustFetch } from "./d1orm_worker_baseline.js";
export { ActivityLog } from "./d1orm_worker_baseline.js";

initSync({ module: wasmModule });

export default {
  fetch(req, env, ctx) {
    return rustFetch(req, env, ctx);
  },
};
