//! The steps whose `rows_read`/`rows_written` the reference backend does not make D1's,
//! each with why. Every other step of every scenario compares them (see
//! [`crate::runner::Scenario::rows_differ`]); a listed step that comes to count as D1
//! does fails the suite until it leaves this list.
//!
//! D1 counts inside its patched SQLite; d1orm-sqlite works the same sums out from the
//! statement's program and SQLite's own counters (d1orm-sqlite's `counters` module), and
//! what it cannot see from there is below.

use crate::runner::Scenario;

/// (scenario, steps, why).
const DIFFERING: &[(&str, &[usize], &str)] = &[];

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
