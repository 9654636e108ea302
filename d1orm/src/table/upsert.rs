//! Upserts: `INSERT … ON CONFLICT (key) DO NOTHING / DO UPDATE`, on a key the derive
//! declared unique.

use super::Table;
use super::decoders::WriteRows;
use super::projection::Projection;
use super::query::{IntoAssignments, push_assignments};
use super::write::{ConflictAction, OnConflictClause, insert_statements};
use crate::backend::ParamValues;
use crate::batch::WriteTarget;
use crate::error::Result;

/// One row to insert or many: the generated insert type, a `Vec` or an array of it.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // One row, a Vec or an array of them.
/// db.users().upsert([
///     NewUser::builder().email("ada@example.com").age(37).tags(vec![]).build(),
///     NewUser::builder().email("cy@example.com").age(5).tags(vec![]).build(),
/// ]).on_conflict(|u| u.email).do_nothing().await?;
/// assert_eq!(db.users().count().await?, 3);
/// # Ok(()) }
/// ```
pub trait IntoRows<T: Table> {
    /// The rows.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::IntoRows;
    /// let rows = IntoRows::<User>::into_rows(vec![NewUser::builder().email("a@x").age(1).tags(vec![]).build()]);
    /// assert_eq!(rows.len(), 1);
    /// # }
    /// ```
    fn into_rows(self) -> Vec<T::Insert>;
}

impl<T: Table> IntoRows<T> for Vec<T::Insert> {
    fn into_rows(self) -> Vec<T::Insert> {
        self
    }
}

impl<T: Table, const N: usize> IntoRows<T> for [T::Insert; N] {
    fn into_rows(self) -> Vec<T::Insert> {
        self.into()
    }
}

/// A primary key or UNIQUE key of table `T`: a column declared
/// `#[d1orm(primary_key)]` or `#[d1orm(unique)]`, or a tuple of columns declared
/// together on the struct. Implemented by `#[derive(Table)]`.
///
/// ```compile_fail
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # async fn staged(db: d1orm::Database<d1orm_sqlite::SqliteBackend>) -> d1orm::Result<()> {
/// // `age` is not a primary or UNIQUE key: an upsert cannot target it.
/// db.users().upsert(NewUser::builder().email("a@x").age(1).tags(vec![]).build()).on_conflict(|u| u.age).do_nothing().await?;
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a primary key or UNIQUE key of `{T}`",
    label = "an upsert's conflict target, or a keyset's last key, must be a declared key",
    note = "declare the column `#[d1orm(primary_key)]` or `#[d1orm(unique)]`, or a composite key on the struct with `#[d1orm(primary_key(a, b))]` or `#[d1orm(unique(a, b))]`, and name its columns in that order"
)]
pub trait UniqueKey<T> {
    /// The key's quoted columns.
    const COLUMNS: &'static [&'static str];
}

/// An upsert waiting for its conflict target: see [`on_conflict`](Self::on_conflict).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let upsert = db.users().upsert(NewUser::builder().email("ada@example.com").age(37).tags(vec![]).build());
/// upsert.on_conflict(|u| u.email).update(|u, new| u.age.set(new.age)).await?;
/// # Ok(()) }
/// ```
#[must_use = "an upsert needs `.on_conflict(..)` and an action"]
pub struct Upsert<'db, B, T: Table, R> {
    backend: &'db B,
    rows: Vec<T::Insert>,
    returning: R,
}

impl<'db, B, T: Table, R> Upsert<'db, B, T, R> {
    pub(crate) fn new(backend: &'db B, rows: Vec<T::Insert>, returning: R) -> Self {
        Upsert {
            backend,
            rows,
            returning,
        }
    }

    /// The key whose conflict triggers the action: a primary key or UNIQUE column, or a
    /// tuple of columns declared as a composite key. Any other target does not compile.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().upsert(NewUser::builder().email("bo@example.com").age(18).tags(vec![]).build())
    ///     .on_conflict(|u| u.email)
    ///     .update_all()
    ///     .await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.age), Some(18));
    /// # Ok(()) }
    /// ```
    pub fn on_conflict<K: UniqueKey<T>>(
        self,
        target: impl FnOnce(&T::Columns) -> K,
    ) -> OnConflict<'db, B, T, R> {
        let _ = target(&T::columns());
        OnConflict {
            upsert: self,
            target: K::COLUMNS,
        }
    }
}

/// An upsert with its conflict target, waiting for the action.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let on_email = db.users().upsert(NewUser::builder().email("bo@example.com").age(18).tags(vec![]).build()).on_conflict(|u| u.email);
/// on_email.do_nothing().await?;
/// # Ok(()) }
/// ```
#[must_use = "an upsert needs an action: `do_nothing()`, `update_all()` or `update(..)`"]
pub struct OnConflict<'db, B, T: Table, R> {
    upsert: Upsert<'db, B, T, R>,
    target: &'static [&'static str],
}

impl<'db, B: WriteTarget, T: Table, R: Projection<T> + Clone + Send> OnConflict<'db, B, T, R> {
    fn finish(self, action: Result<ConflictAction>) -> B::Write<'db, WriteRows<T, R>> {
        let Upsert {
            backend,
            rows,
            returning,
        } = self.upsert;
        let mut list = String::new();
        returning.write_sql(&mut list);
        let statements = returning.check().and(action).and_then(|action| {
            let clause = OnConflictClause {
                target: self.target,
                action,
            };
            insert_statements::<T>(rows, Some(&clause), (!list.is_empty()).then_some(&*list))
        });
        backend.write(statements, WriteRows::new(returning))
    }

    /// Rows whose key already exists are left as they are (and `RETURNING` gives only
    /// the inserted rows).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let w = db.users()
    ///     .upsert(NewUser::builder().email("bo@example.com").age(99).tags(vec![]).build())
    ///     .on_conflict(|u| u.email)
    ///     .do_nothing()
    ///     .await?;
    /// assert_eq!(w.changes(), 0);
    /// # Ok(()) }
    /// ```
    pub fn do_nothing(self) -> B::Write<'db, WriteRows<T, R>> {
        self.finish(Ok(ConflictAction::Nothing))
    }

    /// Rows whose key already exists get every column the new row gives, but the key.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().upsert(NewUser::builder().email("bo@example.com").age(18).tags(vec!["go".into()]).build())
    ///     .on_conflict(|u| u.email)
    ///     .update_all()
    ///     .await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.tags), Some(vec!["go".to_string()]));
    /// # Ok(()) }
    /// ```
    pub fn update_all(self) -> B::Write<'db, WriteRows<T, R>> {
        self.finish(Ok(ConflictAction::UpdateAll))
    }

    /// Rows whose key already exists get these assignments. The closure receives the
    /// stored row's columns and the incoming row's (`new`): `u.name.set(new.name)`,
    /// `u.visits.add(1)`, `u.meta.path().plan.set("pro")`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.users().upsert(NewUser::builder().email("bo@example.com").age(0).tags(vec![]).build())
    ///     .on_conflict(|u| u.email)
    ///     .update(|u, _new| u.age.add(1))           // `_new` is the incoming row (`excluded`)
    ///     .await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.age), Some(18));
    /// # Ok(()) }
    /// ```
    pub fn update<A: IntoAssignments<T>>(
        self,
        assignments: impl FnOnce(&T::Columns, &T::Columns) -> A,
    ) -> B::Write<'db, WriteRows<T, R>> {
        let assignments = assignments(&T::columns(), &T::excluded()).into_assignments();
        let mut sql = String::new();
        let mut params = ParamValues::new();
        let action = push_assignments(&mut sql, &mut params, assignments, "upsert")
            .map(|()| ConflictAction::Assign(sql, params));
        self.finish(action)
    }
}
