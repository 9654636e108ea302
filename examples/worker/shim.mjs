// The Worker's entry module (wrangler.toml's `main` is build.sh's copy of it, beside
// wasm-bindgen's output): instantiates the Rust Worker synchronously at start-up and
// hands each request to the `fetch` that workers-rs' `#[event(fetch)]` exports. This is
// what worker-build would generate; writing it by hand keeps the build to cargo and the
// wasm-bindgen CLI.
import wasmModule from "./d1orm_example_worker_bg.wasm";
import { initSync, fetch as rustFetch } from "./d1orm_example_worker.js";
// The Durable Object class (wrangler.toml binds it as ACTIVITY).
export { ActivityLog } from "./d1orm_example_worker.js";

initSync({ module: wasmModule });

export default {
  fetch(req, env, ctx) {
    return rustFetch(req, env, ctx);
  },
};
