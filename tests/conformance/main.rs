//! The D1 conformance suite: every scenario runs against d1orm's reference SQLite
//! backend (through d1orm's D1 layer) and against real local D1 (workerd through
//! miniflare), and what users can observe must be the same, except for declared
//! divergences, whose two observations are both asserted.
//!
//! Run: `cargo test --test conformance` (add `-- FILTER` to run only the scenarios
//! whose names contain FILTER). Needs Node.js 20+; installs tests/local-d1's npm
//! packages on first use.
//!
//! Every step compares `rows_read` and `rows_written` too; a scenario declares the
//! steps whose counters the reference backend cannot make D1's (`rows_differ`). The
//! run prints on how many steps and scenarios they are identical to D1's
//! (`CONFORMANCE_ROWS=verbose`: and each difference).

#[macro_use]
mod runner;
mod batches;
mod chains;
mod column_types;
mod engine;
mod json_paths;
mod migrations;
mod queries;
mod relations;
mod row_counters;
mod scenarios;
mod sql;
mod team_notes;
mod types;
mod wrangler;

#[path = "../support/d1_backend.rs"]
mod d1_backend;
#[path = "../support/local_d1.rs"]
mod local_d1;

use std::collections::HashSet;
use std::time::Instant;

use runner::Verdict;

fn main() {
    let started = Instant::now();
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();

    let all = scenarios::list();
    let mut names = HashSet::new();
    for s in &all {
        assert!(
            names.insert(s.name.clone()),
            "two scenarios are named {}",
            s.name
        );
    }
    let selected: Vec<_> = all
        .into_iter()
        .filter(|s| s.name.contains(&filter))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    // Plain assertions on the SQLite side only (values D1 cannot receive).
    let mut unit_failed = 0;
    let mut unit_ran = 0;
    for (name, failure) in rt.block_on(runner::unit_checks()) {
        if !name.contains(&filter) {
            continue;
        }
        unit_ran += 1;
        match failure {
            None => println!("ok   {name}"),
            Some(why) => {
                unit_failed += 1;
                println!("FAIL {name}\n  {why}");
            }
        }
    }
    if selected.is_empty() && !filter.starts_with("chains") && !filter.starts_with("wrangler") {
        if unit_ran == 0 {
            eprintln!("conformance: no scenario matches {filter:?}");
            std::process::exit(1);
        }
        println!("{} passed, {unit_failed} failed", unit_ran - unit_failed);
        std::process::exit(i32::from(unit_failed > 0));
    }

    let mut d1 = match local_d1::LocalD1::start() {
        Ok(d1) => d1,
        Err(e) => {
            eprintln!("conformance: cannot start local D1: {e}");
            std::process::exit(1);
        }
    };

    // The third side: d1orm's D1 layer on `d1orm_worker::D1Backend`, inside workerd, on
    // the same local D1 (tests/worker, built by its build.sh, as ./scripts/test does).
    let worker_dir = std::env::var_os("D1ORM_TEST_WORKER_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/d1orm-test-worker")
        });
    let mut worker = if worker_dir.join("shim.mjs").is_file() {
        match local_d1::LocalD1::start_worker(&worker_dir) {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!("conformance: cannot start the test Worker: {e}");
                std::process::exit(1);
            }
        }
    } else if std::env::var_os("D1ORM_TEST_WORKER_DIR").is_some() {
        eprintln!(
            "conformance: no test Worker in {} (build it with tests/worker/build.sh)",
            worker_dir.display()
        );
        std::process::exit(1);
    } else {
        println!(
            "conformance: the d1orm-worker side does not run: no test Worker in {} (tests/worker/build.sh builds it; ./scripts/test does)",
            worker_dir.display()
        );
        None
    };
    let (mut w_identical, mut w_diverges, mut w_failed) = (0, 0, 0);
    // The fourth side, in the same workerd: d1orm over Durable Object SQLite storage
    // (`d1orm_worker::DurableObjectBackend`), one new object per scenario.
    let (mut o_identical, mut o_diverges, mut o_failed) = (0, 0, 0);

    // CONFORMANCE_SHOW=1 prints both observations of every scenario, a step per line.
    let show = std::env::var_os("CONFORMANCE_SHOW").is_some();
    let mut rows_tally = runner::RowsTally::new();
    let (mut identical, mut diverges, mut failed) = (0, 0, 0);
    for scenario in &selected {
        let sqlite = rt.block_on(runner::run_sqlite(scenario));
        let d1_obs = runner::run_d1(&mut d1, scenario);
        if show {
            println!(
                "---- {}\n  sqlite:\n{}  d1:\n{}",
                scenario.name,
                sqlite.compact_steps(),
                d1_obs.compact_steps()
            );
        }
        rows_tally.add(scenario, &sqlite, &d1_obs);
        let mut worker_obs = None;
        if let Some(worker) = &mut worker {
            let obs = runner::run_d1(worker, scenario);
            let worker_obs = &*worker_obs.insert(obs);
            match (
                runner::same(worker_obs, &d1_obs),
                scenario.worker_divergence,
            ) {
                (true, None) => w_identical += 1,
                (false, Some(reason)) => {
                    w_diverges += 1;
                    println!(
                        "ok   worker:{} DIVERGES (declared): {reason}",
                        scenario.name
                    );
                }
                (true, Some(_)) => {
                    w_failed += 1;
                    println!(
                        "FAIL worker:{}\n  declared to diverge, but d1orm-worker answers as D1 does",
                        scenario.name
                    );
                }
                (false, None) => {
                    w_failed += 1;
                    println!(
                        "FAIL worker:{}\n  d1orm-worker (in workerd):\n{}\n  d1 (JavaScript API):\n{}",
                        scenario.name,
                        worker_obs.compact_steps(),
                        d1_obs.compact_steps()
                    );
                }
            }
        }
        if let Some(worker) = &mut worker {
            let object = runner::run_d1_on(worker, scenario, format!("DO:{}", scenario.name));
            // Where d1orm in a Worker diverges from D1 by design, the same answer from
            // Durable Object storage diverges for the same reason.
            let declared = scenario
                .object_divergence()
                .or(scenario.worker_divergence.filter(|_| {
                    worker_obs
                        .as_ref()
                        .is_some_and(|w| runner::same_without_common_meta(&object, w))
                }));
            let verdict = object_verdict(
                &scenario.name,
                runner::same_without_common_meta(&object, &d1_obs),
                declared,
                || {
                    format!(
                        "{}\n  d1:\n{}",
                        object.compact_steps(),
                        d1_obs.compact_steps()
                    )
                },
            );
            tally(verdict, &mut o_identical, &mut o_diverges, &mut o_failed);
        }
        match runner::judge(scenario, &sqlite, &d1_obs) {
            Verdict::Identical => {
                identical += 1;
                println!("ok   {}", scenario.name);
            }
            Verdict::Diverges(reason) => {
                diverges += 1;
                println!("ok   {} DIVERGES (declared): {reason}", scenario.name);
            }
            Verdict::Fail(text) => {
                failed += 1;
                println!("FAIL {}\n{text}", scenario.name);
            }
        }
    }

    // The typed table chains, on both backends through the same code.
    let d1 = std::sync::Mutex::new(d1);
    let mut chains_run = 0;
    let mut w_chains = 0;
    macro_rules! chain {
        ($($module:ident::$name:ident),*) => {$(
            let name = concat!("chains/", stringify!($name));
            if name.contains(&filter) {
                chains_run += 1;
                let sqlite_db = d1orm::Database::new(
                    d1orm_sqlite::SqliteBackend::open_in_memory().expect("in-memory database"),
                );
                let sqlite = rt.block_on($module::$name(&sqlite_db));
                let d1_db = d1orm::Database::new(d1_backend::LocalD1Backend::fresh(&d1));
                let d1_obs = rt.block_on($module::$name(&d1_db));
                if show {
                    println!("---- {name}\n  sqlite: {sqlite}\n  d1:     {d1_obs}");
                }
                if runner::same(&runner::J::from(&sqlite), &runner::J::from(&d1_obs)) {
                    identical += 1;
                    println!("ok   {name}");
                } else {
                    failed += 1;
                    println!(
                        "FAIL {name}\n  sqlite: {}\n  d1:     {}",
                        serde_json::to_string_pretty(&sqlite).unwrap_or_default(),
                        serde_json::to_string_pretty(&d1_obs).unwrap_or_default()
                    );
                }
                // The third side: the same chain inside workerd, on d1orm-worker.
                if let Some(worker) = &mut worker {
                    w_chains += 1;
                    let db = worker.fresh_db();
                    let request = serde_json::json!(
                        {"db": db, "op": "chain", "name": stringify!($name)}
                    );
                    let worker_obs = match worker.request(&request) {
                        Ok(answer) if answer["ok"] == true => answer["result"].clone(),
                        Ok(answer) => serde_json::json!({ "harness failure": answer }),
                        Err(e) => serde_json::json!({ "harness failure": e }),
                    };
                    if runner::same(&runner::J::from(&worker_obs), &runner::J::from(&d1_obs)) {
                        w_identical += 1;
                    } else {
                        w_failed += 1;
                        println!(
                            "FAIL worker:{name}\n  d1orm-worker (in workerd): {}\n  d1 (JavaScript API): {}",
                            serde_json::to_string_pretty(&worker_obs).unwrap_or_default(),
                            serde_json::to_string_pretty(&d1_obs).unwrap_or_default()
                        );
                    }
                    // And on Durable Object storage.
                    let request = serde_json::json!(
                        {"db": format!("DO:{name}"), "op": "chain", "name": stringify!($name)}
                    );
                    let object = match worker.request(&request) {
                        Ok(answer) if answer["ok"] == true => answer["result"].clone(),
                        Ok(answer) => serde_json::json!({ "harness failure": answer }),
                        Err(e) => serde_json::json!({ "harness failure": e }),
                    };
                    let object = runner::J::from(&object);
                    let verdict = object_verdict(
                        name,
                        runner::same(&object, &runner::J::from(&d1_obs)),
                        None,
                        || format!(" {}\n  d1: {}", object.compact_steps(), runner::J::from(&d1_obs).compact_steps()),
                    );
                    tally(verdict, &mut o_identical, &mut o_diverges, &mut o_failed);
                }
            }
        )*};
    }
    chain!(
        chains::reads,
        chains::writes_with_returning,
        chains::json_paths,
        chains::multi_row_insert_past_100_parameters,
        batches::upserts,
        batches::typed_batches,
        batches::failing_batches,
        migrations::migrations,
        queries::text_matching,
        queries::dynamic_filters,
        queries::aggregates,
        queries::json_collections,
        json_paths::typed_json_paths,
        json_paths::typed_json_path_writes,
        queries::sql_fragments,
        queries::null_comparisons,
        column_types::time_and_uuid_columns,
        relations::relations,
        relations::joins,
        team_notes::team_notes,
        team_notes::keysets_pages_and_subqueries
    );
    drop(d1);

    // Migration files applied by wrangler itself, then used through the harness.
    let name = "wrangler/migrations_apply";
    if name.contains(&filter) {
        chains_run += 1;
        match wrangler::run(&rt, show) {
            Ok(_) => {
                identical += 1;
                println!("ok   {name}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {name}\n  {e}");
            }
        }
    }

    let total = selected.len() + chains_run;
    println!(
        "conformance: {:.1} s{}",
        started.elapsed().as_secs_f64(),
        if unit_failed > 0 {
            format!(", {unit_failed} unit check(s) failed (counted below)")
        } else {
            String::new()
        }
    );
    let failed = failed + unit_failed;
    println!(
        "conformance: {total} scenarios, {identical} identical, {diverges} declared divergences, {failed} failed"
    );
    println!("conformance: {}", rows_tally.report());
    if worker.is_some() {
        println!(
            "conformance (d1orm-worker in workerd, against D1's JavaScript API): {} scenarios, {w_identical} identical, {w_diverges} declared divergences, {w_failed} failed",
            selected.len() + w_chains
        );
    }
    if worker.is_some() {
        println!(
            "conformance (d1orm over Durable Object storage in workerd, against D1's JavaScript API): {} scenarios, {o_identical} identical, {o_diverges} declared divergences, {o_failed} failed",
            selected.len() + w_chains
        );
    }
    drop(worker);
    let failed = failed + w_failed + o_failed;
    println!(
        "{} passed, {failed} failed",
        identical + diverges + w_identical + w_diverges + o_identical + o_diverges
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

/// How a Durable Object side's observation fares: identical to D1's, a declared
/// divergence (printed), or a failure (printed with both observations).
enum ObjectVerdict {
    Identical,
    Diverges,
    Fail,
}

fn object_verdict(
    name: &str,
    same: bool,
    declared: Option<&'static str>,
    both: impl FnOnce() -> String,
) -> ObjectVerdict {
    match (same, declared) {
        (true, None) => ObjectVerdict::Identical,
        (false, Some(reason)) => {
            println!("ok   object:{name} DIVERGES (declared): {reason}");
            ObjectVerdict::Diverges
        }
        (true, Some(_)) => {
            println!(
                "FAIL object:{name}\n  declared to diverge, but Durable Object storage answers as D1 does"
            );
            ObjectVerdict::Fail
        }
        (false, None) => {
            println!(
                "FAIL object:{name}\n  d1orm over Durable Object storage:\n{}",
                both()
            );
            ObjectVerdict::Fail
        }
    }
}

fn tally(verdict: ObjectVerdict, identical: &mut usize, diverges: &mut usize, failed: &mut usize) {
    match verdict {
        ObjectVerdict::Identical => *identical += 1,
        ObjectVerdict::Diverges => *diverges += 1,
        ObjectVerdict::Fail => *failed += 1,
    }
}
