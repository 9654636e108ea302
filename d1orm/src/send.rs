//! `Send` where there are threads: native futures must be `Send` so they run in tokio
//! tasks; in a Worker (wasm32) D1's futures hold JavaScript values and cannot be.

use std::future::Future;
use std::pin::Pin;

/// `Send` on native targets; nothing on wasm32.
///
/// ```
/// fn spawnable<T: d1orm::MaybeSend>(_: T) {}
/// spawnable(d1orm::Value::Null);       // Send on native targets; any value on wasm32
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` on native targets; nothing on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` on native targets; nothing on wasm32.
///
/// ```
/// fn shareable<T: d1orm::MaybeSync>(_: &T) {}
/// shareable(&d1orm::Value::Null);
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}

/// `Sync` on native targets; nothing on wasm32.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// The boxed future a chain turns into when awaited: `Send` on native targets.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // Awaiting a chain builds one: on native targets it can move to another tokio task.
/// let count: d1orm::BoxFuture<'_, d1orm::Result<u64>> = Box::pin(db.users().count().into_future());
/// assert_eq!(count.await?, 2);
/// # Ok(()) }
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The boxed future a chain turns into when awaited: `Send` on native targets.
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;
