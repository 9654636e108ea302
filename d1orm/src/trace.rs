//! Spans for statements and batches, behind the `tracing` feature: target `d1orm`, level
//! DEBUG. A statement's span carries its SQL, its number of parameters (their values
//! too when target `d1orm::values` is enabled at TRACE level: off unless a filter asks,
//! as values may hold personal data), and once it ran the backend's `duration_ms`, `rows_read`,
//! `rows_written` and `changes`, or its `error`. A batch's span carries its size, and
//! each of its statements a span inside it. Without the feature every function here is
//! empty and inlined away.

use crate::backend::{QueryBackend, RowSink, Statement};
use crate::error::{Error, Result};
use crate::result::Meta;

#[cfg(feature = "tracing")]
fn instrument<F: std::future::Future>(
    span: &tracing::Span,
    future: F,
) -> tracing::instrument::Instrumented<F> {
    tracing::Instrument::instrument(future, span.clone())
}

/// One statement through `backend`, inside its span, which records how it went.
pub(crate) async fn query<B: QueryBackend + ?Sized, S: RowSink + Send + ?Sized>(
    backend: &B,
    statement: &Statement,
    sink: &mut S,
) -> Result<Meta> {
    let span = StatementSpan::new(statement);
    let meta = span.instrument(backend.query(statement, sink)).await;
    span.finish(meta.as_ref());
    meta
}

/// A statement's span, or nothing without the feature.
#[derive(Clone)]
pub(crate) struct StatementSpan(#[cfg(feature = "tracing")] tracing::Span);

impl StatementSpan {
    #[inline(always)]
    pub(crate) fn new(statement: &Statement) -> Self {
        #[cfg(feature = "tracing")]
        {
            let span = tracing::debug_span!(
                target: "d1orm",
                "statement",
                sql = &*statement.sql,
                params = statement.params.len(),
                values = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                rows_read = tracing::field::Empty,
                rows_written = tracing::field::Empty,
                changes = tracing::field::Empty,
                error = tracing::field::Empty,
            );
            if !span.is_disabled()
                && tracing::enabled!(target: "d1orm::values", tracing::Level::TRACE)
            {
                span.record("values", tracing::field::debug(&statement.params));
            }
            StatementSpan(span)
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = statement;
            StatementSpan()
        }
    }

    /// Records how the statement went.
    #[inline(always)]
    pub(crate) fn finish(&self, result: Result<&Meta, &Error>) {
        #[cfg(feature = "tracing")]
        match result {
            Ok(meta) => {
                self.0.record("duration_ms", meta.duration);
                self.0.record("rows_read", meta.rows_read);
                self.0.record("rows_written", meta.rows_written);
                self.0.record("changes", meta.changes);
            }
            Err(e) => {
                self.0.record("error", tracing::field::display(e));
            }
        }
        #[cfg(not(feature = "tracing"))]
        let _ = result;
    }

    /// Runs `f` inside the span.
    #[inline(always)]
    pub(crate) fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        #[cfg(feature = "tracing")]
        {
            self.0.in_scope(f)
        }
        #[cfg(not(feature = "tracing"))]
        f()
    }

    /// The future, run inside the span.
    #[inline(always)]
    pub(crate) fn instrument<F: std::future::Future>(
        &self,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        return instrument(&self.0, future);
        #[cfg(not(feature = "tracing"))]
        future
    }
}

/// A batch's span, or nothing without the feature.
pub(crate) struct BatchSpan(#[cfg(feature = "tracing")] tracing::Span);

impl BatchSpan {
    #[inline(always)]
    pub(crate) fn new(statements: &[Statement]) -> Self {
        #[cfg(feature = "tracing")]
        {
            BatchSpan(tracing::debug_span!(
                target: "d1orm",
                "batch",
                statements = statements.len(),
                error = tracing::field::Empty,
            ))
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = statements;
            BatchSpan()
        }
    }

    /// The future, run inside the span.
    #[inline(always)]
    pub(crate) fn instrument<F: std::future::Future>(
        &self,
        future: F,
    ) -> impl std::future::Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        return instrument(&self.0, future);
        #[cfg(not(feature = "tracing"))]
        future
    }

    /// Records the outcome: a span per statement inside the batch's (the backend runs
    /// them as one call, so each carries its meta, not a time of its own), or the error.
    #[inline(always)]
    pub(crate) fn finish(&self, statements: &[Statement], result: Result<&[Meta], &Error>) {
        #[cfg(feature = "tracing")]
        self.0.in_scope(|| match result {
            Ok(metas) => {
                for (statement, meta) in statements.iter().zip(metas) {
                    StatementSpan::new(statement).finish(Ok(meta));
                }
            }
            Err(e) => {
                self.0.record("error", tracing::field::display(e));
            }
        });
        #[cfg(not(feature = "tracing"))]
        let _ = (statements, result);
    }
}
