//! Statements as values: every chain terminal gives a [`Pending`] that runs when awaited
//! or joins an atomic [`Database::batch`](crate::Database::batch) without running; the
//! callback form stages writes on a [`Tx`].

use crate::trace::{BatchSpan, StatementSpan};
use std::cell::RefCell;
use std::future::IntoFuture;
use std::ops::ControlFlow;

use smallvec::SmallVec;

use crate::backend::{
    BatchEntry, DiscardRows, DynBackend, DynRowSink, MetaRead, MetaUnread, QueryBackend, RowSink,
    Statement, Statements,
};
use crate::database::JsonRow;
use crate::error::{Error, Prefix, Result};
use crate::result::Meta;
use crate::send::BoxFuture;
use crate::sinks::ObjectRows;
use crate::table::{MAX_PARAMS, Query, Table, WriteResult};

/// D1's limit on the length of one statement's SQL, in bytes.
pub const MAX_SQL_BYTES: usize = 100_000;

/// Turns the rows and metas of a value's statements into its result.
///
/// ```
/// use d1orm::{Decoder, DiscardRows, Meta};
/// // A decoder that keeps only the changes of its statements.
/// struct Changes;
/// impl Decoder for Changes {
///     type Output = u64;
///     type Sink = DiscardRows;
///     fn sink(&self) -> DiscardRows { DiscardRows }
///     fn finish(self, _sinks: Vec<DiscardRows>, metas: Vec<Meta>) -> d1orm::Result<u64> {
///         Ok(metas.iter().map(|m| m.changes).sum())
///     }
/// }
/// let two = Meta { changes: 2, ..Meta::default() };
/// assert_eq!(Changes.finish(vec![Changes.sink(), Changes.sink()], vec![two.clone(), two])?, 4);
/// # Ok::<(), d1orm::Error>(())
/// ```
pub trait Decoder: Send {
    /// The result.
    type Output;
    /// What receives one statement's rows.
    type Sink: RowSink + Send;
    /// A sink for one statement.
    ///
    /// ```
    /// use d1orm::{Decoder, DiscardRows, Meta};
    /// // A decoder that keeps only the changes of its statements.
    /// struct Changes;
    /// impl Decoder for Changes {
    ///     type Output = u64;
    ///     type Sink = DiscardRows;
    ///     fn sink(&self) -> DiscardRows { DiscardRows }
    ///     fn finish(self, _sinks: Vec<DiscardRows>, metas: Vec<Meta>) -> d1orm::Result<u64> {
    ///         Ok(metas.iter().map(|m| m.changes).sum())
    ///     }
    /// }
    /// let two = Meta { changes: 2, ..Meta::default() };
    /// let _sink: DiscardRows = Changes.sink();
    /// ```
    fn sink(&self) -> Self::Sink;
    /// The result, from every statement's sink and meta, in order.
    ///
    /// ```
    /// use d1orm::{Decoder, DiscardRows, Meta};
    /// // A decoder that keeps only the changes of its statements.
    /// struct Changes;
    /// impl Decoder for Changes {
    ///     type Output = u64;
    ///     type Sink = DiscardRows;
    ///     fn sink(&self) -> DiscardRows { DiscardRows }
    ///     fn finish(self, _sinks: Vec<DiscardRows>, metas: Vec<Meta>) -> d1orm::Result<u64> {
    ///         Ok(metas.iter().map(|m| m.changes).sum())
    ///     }
    /// }
    /// let two = Meta { changes: 2, ..Meta::default() };
    /// assert_eq!(Changes.finish(vec![Changes.sink()], vec![two])?, 2);
    /// # Ok::<(), d1orm::Error>(())
    /// ```
    ///
    /// # Failure
    /// The rows do not make the result (`one()` found no row, ...).
    fn finish(self, sinks: Vec<Self::Sink>, metas: Vec<Meta>) -> Result<Self::Output>;

    /// The result of a single statement: what [`finish`](Self::finish) gives for one
    /// sink and one meta, which a decoder may give without building the vectors (a
    /// single read is the common case, and the hot path).
    ///
    /// ```
    /// use d1orm::{Decoder, DiscardRows, Meta};
    /// // A decoder that keeps only the changes of its statements.
    /// struct Changes;
    /// impl Decoder for Changes {
    ///     type Output = u64;
    ///     type Sink = DiscardRows;
    ///     fn sink(&self) -> DiscardRows { DiscardRows }
    ///     fn finish(self, _sinks: Vec<DiscardRows>, metas: Vec<Meta>) -> d1orm::Result<u64> {
    ///         Ok(metas.iter().map(|m| m.changes).sum())
    ///     }
    /// }
    /// let two = Meta { changes: 2, ..Meta::default() };
    /// assert_eq!(Changes.finish_one(Changes.sink(), two)?, 2);
    /// # Ok::<(), d1orm::Error>(())
    /// ```
    ///
    /// # Failure
    /// As [`finish`](Self::finish).
    fn finish_one(self, sink: Self::Sink, meta: Meta) -> Result<Self::Output>
    where
        Self: Sized,
    {
        self.finish(vec![sink], vec![meta])
    }

    /// Whether the result carries the meta. A decoder that drops it says `false`, and a
    /// single statement then runs without measuring what only the meta reports (see
    /// [`RowSink::reads_meta`](crate::RowSink::reads_meta)). Defaults to `true`.
    ///
    /// ```
    /// use d1orm::{Decoder, DiscardRows, Meta};
    /// // A decoder that keeps only the changes of its statements.
    /// struct Changes;
    /// impl Decoder for Changes {
    ///     type Output = u64;
    ///     type Sink = DiscardRows;
    ///     fn sink(&self) -> DiscardRows { DiscardRows }
    ///     fn finish(self, _sinks: Vec<DiscardRows>, metas: Vec<Meta>) -> d1orm::Result<u64> {
    ///         Ok(metas.iter().map(|m| m.changes).sum())
    ///     }
    /// }
    /// let two = Meta { changes: 2, ..Meta::default() };
    /// assert!(Changes.reads_meta());    // it reads `changes`, so the meta is measured
    /// ```
    fn reads_meta(&self) -> bool {
        true
    }
}

/// Statements ready to run and the decoder of their results: what a chain terminal
/// gives. Await it to run it alone, or hand it to `db.batch(...)` to run it with others
/// in one atomic batch.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // Nothing runs until it is awaited, or handed to db.batch.
/// let adults = db.users().where_(|u| u.age.gte(18)).count();
/// let minors = db.users().where_(|u| u.age.lt(18)).count();
/// assert_eq!(db.batch((adults, minors)).await?, (1, 1));
/// # Ok(()) }
/// ```
#[must_use = "nothing runs until it is awaited or handed to `db.batch`"]
pub struct Pending<'db, B, D> {
    backend: &'db B,
    statements: Result<Statements>,
    decoder: D,
}

impl<B, D> std::fmt::Debug for Pending<'_, B, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("statements", &self.statements)
            .finish_non_exhaustive()
    }
}

impl<'db, B, D: Decoder> Pending<'db, B, D> {
    pub(crate) fn new(backend: &'db B, statements: Result<Statements>, decoder: D) -> Self {
        Pending {
            backend,
            statements,
            decoder,
        }
    }

    /// The statements it will run, or the error it will report without running.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let pending = db.users().where_(|u| u.id.eq(1)).count();
    /// let sql = pending.statements().unwrap()[0].sql.to_string();
    /// assert_eq!(sql, r#"SELECT count(*) FROM "users" WHERE "id" = ?"#);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A value that cannot be bound, or a statement over D1's limits.
    pub fn statements(&self) -> Result<&[Statement], &Error> {
        self.statements.as_deref()
    }

    /// The result with the meta of its (last) statement: for reads whose result has none,
    /// such as `first`, `count` or `exists`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let (n, meta) = db.users().count().with_meta().await?;
    /// assert_eq!((n, meta.rows_read), (2, 2));
    /// # Ok(()) }
    /// ```
    pub fn with_meta(self) -> Pending<'db, B, WithMeta<D>> {
        Pending {
            backend: self.backend,
            statements: self.statements,
            decoder: WithMeta(self.decoder),
        }
    }
}

/// Statements generated by the ORM, checked against D1's limits before anything runs.
/// Inlined, with the error made apart: it runs on every chain terminal.
#[inline]
pub(crate) fn within_budget(statements: Statements) -> Result<Statements> {
    match statements
        .iter()
        .find(|s| s.params.len() > MAX_PARAMS || s.sql.len() > MAX_SQL_BYTES)
    {
        None => Ok(statements),
        Some(over) => Err(over_budget(over)),
    }
}

#[cold]
fn over_budget(statement: &Statement) -> Error {
    let message = if statement.params.len() > MAX_PARAMS {
        format!(
            "this statement needs {} bound parameters; D1 allows at most {MAX_PARAMS}",
            statement.params.len()
        )
    } else {
        format!(
            "this statement's SQL is {} bytes long; D1 allows at most {MAX_SQL_BYTES}",
            statement.sql.len()
        )
    };
    Error::d1(Prefix::Error, message)
}

/// The decoder behind [`Pending::with_meta`].
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let (ada, meta) = db.users().find(1).with_meta().await?;
/// assert!(ada.is_some() && meta.rows_read == 1);
/// # Ok(()) }
/// ```
pub struct WithMeta<D>(D);

impl<D: Decoder> Decoder for WithMeta<D> {
    type Output = (D::Output, Meta);
    type Sink = D::Sink;
    fn sink(&self) -> D::Sink {
        self.0.sink()
    }
    fn finish(self, sinks: Vec<D::Sink>, metas: Vec<Meta>) -> Result<Self::Output> {
        let meta = metas.last().cloned().unwrap_or_default();
        Ok((self.0.finish(sinks, metas)?, meta))
    }
    fn finish_one(self, sink: D::Sink, meta: Meta) -> Result<Self::Output> {
        Ok((self.0.finish_one(sink, meta.clone())?, meta))
    }
}

impl<'db, B: QueryBackend, D: Decoder + 'db> IntoFuture for Pending<'db, B, D> {
    type Output = Result<D::Output>;
    type IntoFuture = PendingFuture<'db, B, D>;

    fn into_future(self) -> PendingFuture<'db, B, D> {
        PendingFuture {
            state: PendingState::Start(self),
        }
    }
}

impl<'db, B: QueryBackend, D: Decoder + 'db> Pending<'db, B, D> {
    /// The result without a future (`Break`), when the backend runs the single
    /// statement at once; otherwise the pending value back (`Continue`).
    fn try_now(self) -> ControlFlow<Result<D::Output>, Self> {
        let one = match &self.statements {
            Ok(statements) if statements.len() == 1 => &statements[0],
            _ => return ControlFlow::Continue(self),
        };
        let mut sink = self.decoder.sink();
        let span = StatementSpan::new(one);
        let meta = span.in_scope(|| {
            if self.decoder.reads_meta() {
                self.backend.query_now(one, &mut sink)
            } else {
                self.backend.query_now(one, &mut MetaUnread(&mut sink))
            }
        });
        match meta {
            Some(meta) => {
                span.finish(meta.as_ref());
                ControlFlow::Break(meta.and_then(|meta| self.decoder.finish_one(sink, meta)))
            }
            None => ControlFlow::Continue(self),
        }
    }
}

/// Runs a [`Pending`]'s statements through the backend behind `dyn`: compiled once per
/// decoder type, whatever the backend.
async fn run<D: Decoder>(
    backend: &dyn DynBackend,
    statements: Result<Statements>,
    decoder: D,
) -> Result<D::Output> {
    let statements = statements?;
    if let [one] = statements.as_slice() {
        let mut sink = decoder.sink();
        let reads_meta = decoder.reads_meta();
        // Behind `dyn`: the backend's future is then one type for every decoder,
        // compiled once (a backend that answers at once, SQLite, never gets here).
        let flagged: &mut (dyn DynRowSink + Send) = &mut MetaRead(&mut sink, reads_meta);
        let span = StatementSpan::new(one);
        let meta = span.instrument(backend.query_boxed(one, flagged)).await;
        span.finish(meta.as_ref());
        return decoder.finish_one(sink, meta?);
    }
    let mut sinks: Vec<D::Sink> = statements.iter().map(|_| decoder.sink()).collect();
    let metas = match statements.as_slice() {
        [] => Vec::new(),
        many => {
            let refs = sinks
                .iter_mut()
                .map(|s| s as &mut (dyn DynRowSink + Send))
                .collect();
            run_batch(backend, many, refs).await?
        }
    };
    decoder.finish(sinks, metas)
}

/// An awaited [`Pending`]. On a backend that answers at once (SQLite) a single
/// statement runs in the first poll, with no boxed future: that allocation is a
/// measurable share of a point lookup.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let future = db.users().count().into_future();   // what `.await` does
/// assert_eq!(future.await?, 2);
/// # Ok(()) }
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct PendingFuture<'db, B, D: Decoder> {
    state: PendingState<'db, B, D>,
}

enum PendingState<'db, B, D: Decoder> {
    Start(Pending<'db, B, D>),
    Running(BoxFuture<'db, Result<D::Output>>),
    Done,
}

// Nothing is pinned in place: the pending value is moved out on the first poll and the
// running future is boxed.
impl<B, D: Decoder> Unpin for PendingFuture<'_, B, D> {}

impl<B, D: Decoder> std::fmt::Debug for PendingFuture<'_, B, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            PendingState::Start(_) => "start",
            PendingState::Running(_) => "running",
            PendingState::Done => "done",
        };
        f.debug_struct("PendingFuture")
            .field("state", &state)
            .finish()
    }
}

impl<'db, B: QueryBackend, D: Decoder + 'db> std::future::Future for PendingFuture<'db, B, D> {
    type Output = Result<D::Output>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, PendingState::Done) {
                PendingState::Start(pending) => match pending.try_now() {
                    ControlFlow::Break(result) => return Poll::Ready(result),
                    ControlFlow::Continue(pending) => {
                        this.state = PendingState::Running(Box::pin(run(
                            pending.backend,
                            pending.statements,
                            pending.decoder,
                        )));
                    }
                },
                PendingState::Running(mut future) => {
                    let poll = future.as_mut().poll(cx);
                    if poll.is_pending() {
                        this.state = PendingState::Running(future);
                    }
                    return poll;
                }
                PendingState::Done => panic!("`PendingFuture` polled after it completed"),
            }
        }
    }
}

/// Runs statements as one D1 batch; a failure names the failing statement's position.
async fn run_batch(
    backend: &dyn DynBackend,
    statements: &[Statement],
    sinks: Vec<&mut (dyn DynRowSink + Send)>,
) -> Result<Vec<Meta>> {
    let count = statements.len();
    let mut entries = Vec::with_capacity(count);
    for (statement, sink) in statements.iter().zip(sinks) {
        entries.push(BatchEntry { statement, sink });
    }
    let span = BatchSpan::new(statements);
    let result = span.instrument(backend.batch_boxed(&mut entries)).await;
    span.finish(statements, result.as_deref());
    match result {
        Ok(metas) => Ok(metas),
        Err(e) if e.batch_index().is_some() => Err(e),
        Err(e) if count == 1 => Err(e.in_batch(0, 1)),
        Err(e) => Err(locate_failure(backend, statements, e).await),
    }
}

/// A statement that fails when it runs (not when it is prepared), with a message no
/// other statement gives.
const PROBE: &str = "SELECT json_extract('{}', 'd1orm batch probe')";

/// Finds which statement of a failed batch failed, for backends that do not say (D1's
/// batch error names none). Prefixes of the batch are re-run with a statement that
/// always fails appended, so each probe is rolled back and nothing is applied; a binary
/// search needs about log2(n) probes, on failure only. When the failure does not repeat
/// the same way, the error is returned without a position.
async fn locate_failure(backend: &dyn DynBackend, statements: &[Statement], error: Error) -> Error {
    if !matches!(error, Error::Database(_)) || error.is_busy() {
        return error;
    }
    let target = error.to_string();
    let (mut low, mut high) = (0, statements.len() - 1);
    while low < high {
        let mid = (low + high) / 2;
        // The prefix is borrowed, not copied, and the probe follows it.
        let probe = Statement::new(PROBE);
        let mut sinks = vec![DiscardRows; mid + 2];
        let mut entries = Vec::with_capacity(mid + 2);
        for (statement, sink) in statements[..=mid].iter().chain([&probe]).zip(&mut sinks) {
            entries.push(BatchEntry { statement, sink });
        }
        match backend.batch_boxed(&mut entries).await {
            Err(e) if e.root().to_string() == target => high = mid,
            Err(e) if e.root().to_string().contains("d1orm batch probe") => low = mid + 1,
            _ => return error,
        }
    }
    error.in_batch(low, statements.len())
}

/// What `db.batch(...)` takes: a tuple of chains (each result typed as if awaited
/// alone), a `Vec` or array of chains of one type, or a closure staging writes on a
/// [`Tx`].
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // A tuple (of up to 12), a Vec or an array of pending values, or a staging closure.
/// let (a, b) = db.batch((db.users().count(), db.prepare("SELECT 1 AS one").first::<serde_json::Value>())).await?;
/// let counts = db.batch(vec![db.users().count(), db.users().where_(|u| u.age.lt(18)).count()]).await?;
/// assert_eq!((a, counts), (2, vec![2, 1]));
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be run as a batch",
    label = "expected a tuple or `Vec` of chains, or a closure `|tx| {{ ... }}`",
    note = "each element must be a chain ended by a terminal (`many()`, `insert(..)`, `update(..)`, ...) or a prepared statement"
)]
pub trait IntoBatch<'db, B> {
    /// The batch's result.
    type Output;
    /// Runs the batch on `backend`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::IntoBatch;
    /// let counts = vec![db.users().count()].run(db.backend()).await?;
    /// assert_eq!(counts, [2]);
    /// # Ok(()) }
    /// ```
    fn run(self, backend: &'db B) -> BoxFuture<'db, Result<Self::Output>>;
}

/// A value that can be one element of a batch: a [`Pending`], or a prepared statement.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // A chain's terminal and a prepared statement can sit side by side in a batch.
/// let (n, r) = db.batch((db.users().count(), db.prepare("DELETE FROM users WHERE id = 2"))).await?;
/// assert_eq!((n, r.meta.changes), (2, 1));
/// # Ok(()) }
/// ```
pub trait IntoPending<'db, B> {
    /// Its decoder.
    type Decoder: Decoder + 'db;
    /// The pending value.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::IntoPending;
    /// let pending = db.prepare("SELECT 1").into_pending();
    /// assert_eq!(pending.statements().unwrap().len(), 1);
    /// # Ok(()) }
    /// ```
    fn into_pending(self) -> Pending<'db, B, Self::Decoder>;
}

impl<'db, B, D: Decoder + 'db> IntoPending<'db, B> for Pending<'db, B, D> {
    type Decoder = D;
    fn into_pending(self) -> Self {
        self
    }
}

/// One element of a batch, staged.
struct Part<D: Decoder> {
    decoder: D,
    sinks: SmallVec<[D::Sink; 1]>,
    /// It had statements, and every one was blank: D1 leaves it out of the results.
    dropped: bool,
}

impl<D: Decoder> Part<D> {
    fn finish(mut self, metas: &mut impl Iterator<Item = Meta>) -> Result<D::Output> {
        if self.sinks.len() == 1
            && let Some(sink) = self.sinks.pop()
        {
            return self
                .decoder
                .finish_one(sink, metas.next().unwrap_or_default());
        }
        let metas: Vec<Meta> = metas.take(self.sinks.len()).collect();
        let mut sinks = Vec::with_capacity(self.sinks.len());
        for sink in self.sinks {
            sinks.push(sink);
        }
        self.decoder.finish(sinks, metas)
    }

    fn lend_sinks<'a>(&'a mut self, out: &mut Vec<&'a mut (dyn DynRowSink + Send)>) {
        for sink in &mut self.sinks {
            out.push(sink as &mut (dyn DynRowSink + Send));
        }
    }
}

/// The statements of a batch being assembled, and the first staging error.
#[derive(Default)]
struct Plan {
    statements: Vec<Statement>,
    /// (position, error) of the first element that could not be staged.
    error: Option<(usize, Error)>,
}

impl Plan {
    fn add<'db, B, D: Decoder>(&mut self, pending: Pending<'db, B, D>) -> Part<D> {
        let kept = self.take(pending.statements);
        let mut sinks = SmallVec::new();
        for _ in 0..kept.unwrap_or(0) {
            sinks.push(pending.decoder.sink());
        }
        Part {
            sinks,
            // It had statements, and D1 runs none of them.
            dropped: kept == Some(0),
            decoder: pending.decoder,
        }
    }

    /// Takes an element's statements; gives how many D1 runs (`None` when it had none,
    /// or an error that stands for its one statement).
    /// Apart from [`add`](Self::add), which is compiled once per decoder type, so that
    /// this is compiled once.
    fn take(&mut self, statements: Result<Statements>) -> Option<usize> {
        match statements {
            Ok(statements) => {
                let had = !statements.is_empty();
                let mut kept = 0;
                for s in statements {
                    // D1 drops blank and comment-only statements from a batch.
                    if s.sql.is_single_statement() || !is_blank_or_line_comments(&s.sql) {
                        kept += 1;
                        self.statements.push(s);
                    }
                }
                had.then_some(kept)
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some((self.statements.len(), e));
                }
                // Counts as one statement, so later positions stay right.
                self.statements.push(Statement::new(""));
                None
            }
        }
    }

    async fn run(
        self,
        backend: &dyn DynBackend,
        sinks: Vec<&mut (dyn DynRowSink + Send)>,
    ) -> Result<std::vec::IntoIter<Meta>> {
        if let Some((index, e)) = self.error {
            return Err(e.in_batch(index, self.statements.len()));
        }
        if self.statements.is_empty() {
            return Err(Error::d1(Prefix::Error, "No SQL statements detected."));
        }
        Ok(run_batch(backend, &self.statements, sinks)
            .await?
            .into_iter())
    }
}

/// Whether `sql` holds nothing but whitespace and `--` comments.
pub(crate) fn is_blank_or_line_comments(sql: &str) -> bool {
    // A byte scan: this runs on every statement of every batch, and a statement with
    // code answers at its first word.
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b if b.is_ascii_whitespace() => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |n| i + n + 1);
            }
            // `str::trim` also takes Unicode spaces for blank.
            _ => match sql[i..].chars().next() {
                Some(c) if c.is_whitespace() => i += c.len_utf8(),
                _ => return false,
            },
        }
    }
    true
}

macro_rules! tuple_batch {
    ($($P:ident $p:ident),+) => {
        impl<'db, B: QueryBackend, $($P: IntoPending<'db, B>),+> IntoBatch<'db, B> for ($($P,)+) {
            type Output = ($(<$P::Decoder as Decoder>::Output,)+);

            fn run(self, backend: &'db B) -> BoxFuture<'db, Result<Self::Output>> {
                let ($($p,)+) = self;
                let mut plan = Plan::default();
                $(let mut $p = plan.add($p.into_pending());)+
                Box::pin(async move {
                    let mut sinks = Vec::new();
                    $($p.lend_sinks(&mut sinks);)+
                    let mut metas = plan.run(backend, sinks).await?;
                    Ok(($($p.finish(&mut metas)?,)+))
                })
            }
        }
    };
}

tuple_batch!(P0 p0);
tuple_batch!(P0 p0, P1 p1);
tuple_batch!(P0 p0, P1 p1, P2 p2);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4, P5 p5);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4, P5 p5, P6 p6);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4, P5 p5, P6 p6, P7 p7);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4, P5 p5, P6 p6, P7 p7, P8 p8);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4, P5 p5, P6 p6, P7 p7, P8 p8, P9 p9);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4, P5 p5, P6 p6, P7 p7, P8 p8, P9 p9, P10 p10);
tuple_batch!(P0 p0, P1 p1, P2 p2, P3 p3, P4 p4, P5 p5, P6 p6, P7 p7, P8 p8, P9 p9, P10 p10, P11 p11);

/// Runs elements of one type as a batch; elements whose statements were all blank have
/// no result, as in D1.
fn run_many<'db, B: QueryBackend, P: IntoPending<'db, B>>(
    items: impl IntoIterator<Item = P>,
    backend: &'db B,
) -> BoxFuture<'db, Result<Vec<<P::Decoder as Decoder>::Output>>> {
    let items = items.into_iter();
    // Nearly every element is one statement: no regrowth, which copies them all.
    let mut plan = Plan {
        statements: Vec::with_capacity(items.size_hint().0),
        error: None,
    };
    let mut parts: Vec<Part<P::Decoder>> = items.map(|p| plan.add(p.into_pending())).collect();
    Box::pin(async move {
        let mut sinks = Vec::with_capacity(plan.statements.len());
        for part in &mut parts {
            part.lend_sinks(&mut sinks);
        }
        let mut metas = plan.run(backend, sinks).await?;
        // Sized once: a filtered collect would grow the list, copying every result.
        let mut outputs = Vec::with_capacity(parts.len());
        for part in parts.into_iter().filter(|p| !p.dropped) {
            outputs.push(part.finish(&mut metas)?);
        }
        Ok(outputs)
    })
}

impl<'db, B: QueryBackend, P: IntoPending<'db, B>> IntoBatch<'db, B> for Vec<P> {
    type Output = Vec<<P::Decoder as Decoder>::Output>;
    fn run(self, backend: &'db B) -> BoxFuture<'db, Result<Self::Output>> {
        run_many(self, backend)
    }
}

impl<'db, B: QueryBackend, P: IntoPending<'db, B>, const N: usize> IntoBatch<'db, B> for [P; N] {
    type Output = Vec<<P::Decoder as Decoder>::Output>;
    fn run(self, backend: &'db B) -> BoxFuture<'db, Result<Self::Output>> {
        run_many(self, backend)
    }
}

/// The staging side of `db.batch(|tx| { ... })`: the same fluent chains as on the
/// database (`tx.users()`, `tx.table::<T>()`), whose writes are staged to run together
/// when the callback returns. Reads do not exist here: a read inside a staged batch
/// could not inform what the callback stages.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let done = db.batch(|tx: &d1orm::Tx| {
///     tx.users().where_(|u| u.id.eq(2)).update(|u| u.age.add(1));
///     tx.table::<User>().where_(|u| u.id.eq(1)).delete();
/// }).await?;
/// assert_eq!(done.results.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Tx {
    writes: RefCell<Vec<Result<Statements>>>,
}

impl Tx {
    /// The staging chain over the rows of table `T`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.staged(|tx| { tx.table::<User>().where_(|u| u.age.lt(18)).delete(); }).await?;
    /// assert_eq!(db.users().count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn table<T: Table>(&self) -> Query<'_, Tx, T> {
        Query::new(self)
    }

    fn stage(&self, statements: Result<Statements>) {
        self.writes.borrow_mut().push(statements);
    }
}

/// What a committed callback batch did.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let done = db.staged(|tx| {
///     tx.users().returning(|u| u.id).insert(NewUser::builder().email("cy@example.com").age(5).tags(vec![]).build());
///     tx.users().where_(|u| u.age.lt(18)).delete();
/// }).await?;
/// assert!(done.success);
/// assert_eq!(done.results[0].rows[0]["id"], 3);
/// assert_eq!(done.results[1].changes(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    /// Always true for a batch that ran: a failed batch is an `Err`.
    pub success: bool,
    /// One result per staged write, in order, with the rows `RETURNING` gave as JSON
    /// objects.
    pub results: Vec<WriteResult<JsonRow>>,
}

/// Decodes a staged write: rows as JSON objects, every statement's meta.
struct JsonWrite;

impl Decoder for JsonWrite {
    type Output = WriteResult<JsonRow>;
    type Sink = ObjectRows<JsonRow>;
    fn sink(&self) -> Self::Sink {
        ObjectRows::new(usize::MAX)
    }
    fn finish(self, sinks: Vec<Self::Sink>, metas: Vec<Meta>) -> Result<Self::Output> {
        Ok(WriteResult {
            rows: sinks.into_iter().flat_map(|s| s.rows).collect(),
            metas,
        })
    }
}

impl<'db, B: QueryBackend, F: FnOnce(&Tx)> IntoBatch<'db, B> for F {
    type Output = BatchResult;
    fn run(self, backend: &'db B) -> BoxFuture<'db, Result<BatchResult>> {
        let tx = Tx::default();
        self(&tx);
        let pending: Vec<Pending<'db, B, JsonWrite>> = tx
            .writes
            .into_inner()
            .into_iter()
            .map(|statements| Pending::new(backend, statements, JsonWrite))
            .collect();
        let run = run_many(pending, backend);
        Box::pin(async move {
            Ok(BatchResult {
                success: true,
                results: run.await?,
            })
        })
    }
}

/// Where a chain's writes go: a backend runs them (the terminal gives a [`Pending`]);
/// a [`Tx`] stages them (the terminal gives nothing).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // On a database a write terminal gives a Pending to await; on a Tx it stages the write.
/// let pending = db.users().where_(|u| u.id.eq(2)).delete();
/// db.staged(|tx| { let () = tx.users().where_(|u| u.id.eq(1)).delete(); }).await?;
/// assert_eq!(pending.await?.changes(), 1);
/// # Ok(()) }
/// ```
pub trait WriteTarget {
    /// What a write terminal gives.
    type Write<'a, D: Decoder + 'a>
    where
        Self: 'a;
    /// Takes the statements of a write.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.staged(|tx| { tx.users().where_(|u| u.age.lt(18)).update(|u| u.age.add(1)); }).await?;
    /// assert_eq!(db.users().find(2).await?.map(|u| u.age), Some(18));
    /// # Ok(()) }
    /// ```
    fn write<'a, D: Decoder + 'a>(
        &'a self,
        statements: Result<Statements>,
        decoder: D,
    ) -> Self::Write<'a, D>;
}

impl<B: QueryBackend> WriteTarget for B {
    type Write<'a, D: Decoder + 'a>
        = Pending<'a, B, D>
    where
        B: 'a;
    fn write<'a, D: Decoder + 'a>(
        &'a self,
        statements: Result<Statements>,
        decoder: D,
    ) -> Pending<'a, B, D> {
        Pending::new(self, statements.and_then(within_budget), decoder)
    }
}

impl WriteTarget for Tx {
    type Write<'a, D: Decoder + 'a> = ();
    fn write<'a, D: Decoder + 'a>(&'a self, statements: Result<Statements>, _decoder: D) {
        self.stage(statements.and_then(within_budget));
    }
}

#[cfg(test)]
mod tests {
    use super::is_blank_or_line_comments;

    #[test]
    fn blank_and_line_comment_statements_are_recognised() {
        for blank in [
            "",
            "  \n\t",
            "-- note",
            "  -- a\n\n-- b\n  ",
            "\u{a0}\u{2003}\n",
        ] {
            assert!(is_blank_or_line_comments(blank), "{blank:?}");
        }
        for code in [
            "SELECT 1",
            "-- a\nSELECT 1",
            "  x",
            "/* c */",
            "- 1",
            "\u{a0}é",
        ] {
            assert!(!is_blank_or_line_comments(code), "{code:?}");
        }
    }
}
