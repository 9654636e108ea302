//! The steps whose `rows_read`/`rows_written` the reference backend does not make D1's,
//! each with why. Every other step of every scenario compares them (see
//! [`crate::runner::Scenario::rows_differ`]); a listed step that comes to count as D1
//! does fails the suite until it leaves this list.
//!
//! D1 counts inside its patched SQLite; d1orm-sqlite works the same sums out from the
//! statement's program and SQLite's own counters (d1orm-sqlite's `counters` module),
//! and what it cannot see from there is below: each a scenario of
//! `counters/` (in `sql.rs`), made to show a known limit.

use crate::runner::Scenario;

/// (scenario, steps, why).
const DIFFERING: &[(&str, &[usize], &str)] = &[
    (
        "counters/groups_dropped_by_having",
        &[2],
        "an aggregate's ORDER BY reads its table once per group, and a group HAVING drops \
         returns no row: how many groups there were, no counter tells",
    ),
    (
        "counters/update_of_a_range_with_a_trigger_looping_an_index",
        &[6],
        "the statement's loop and its trigger's loop step the same SQLite counter, and \
         how the steps split between them, no counter tells",
    ),
    (
        "counters/delete_of_rows_with_a_when_trigger",
        &[4],
        "the rows the DELETE found and those its trigger's WHEN took are two unknowns, \
         and the rows changed are one count",
    ),
    (
        "counters/windows_over_two_partitionings",
        &[2],
        "the query that counts a window's partitions counts one partitioning per \
         statement; windows over two different ones are counted as one partition",
    ),
    (
        "counters/window_cut_short_by_a_limit",
        &[2],
        "a LIMIT without ORDER BY stops a window's output part-way: how much of its input \
         it had read by then, no counter tells",
    ),
    (
        "counters/upsert_of_several_rows_with_triggers_and_an_index",
        &[6],
        "the update hook reports an upsert's inserts and updates mixed with its triggers' \
         inserts, so the rows updated (which write other index entries) are not told apart",
    ),
    (
        "counters/update_over_a_scan_with_a_partial_index",
        &[3],
        "a row changed in a scan gets a partial index entry only when the index's WHERE \
         holds for it, and the ways through a program with a loop are not searched",
    ),
    (
        "counters/cascade_to_children_with_a_null_second_key",
        &[6],
        "inside a foreign key action, a row whose other foreign key is NULL skips that \
         key's parent lookup; which rows have one, no counter tells",
    ),
];

/// Declares the steps of [`DIFFERING`] on their scenarios.
pub fn declare(scenarios: &mut [Scenario]) {
    for &(name, steps, why) in DIFFERING {
        let scenario = scenarios
            .iter_mut()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("row_counters.rs names no scenario {name}"));
        scenario.rows_differ(steps, why);
    }
}
