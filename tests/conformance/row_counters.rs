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
