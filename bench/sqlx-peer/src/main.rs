//! Concurrent point lookups through sqlx's SQLite pool, one round per line read from
//! standard input (`<lookups> <tasks>`), the round's nanoseconds written to standard
//! output (after a first line with the SQLite version). Arguments: the database file (made by the benchmark) and the pool size.
//! Runs on a tokio runtime of two workers, as the benchmark's own variants do.

use std::io::BufRead;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

#[derive(sqlx::FromRow)]
struct User {
    id: i64,
    email: String,
    name: String,
    age: i64,
    score: f64,
}

/// The benchmark's lookup, as its other variants run it.
const LOOKUP: &str = r#"SELECT "id", "email", "name", "age", "score" FROM "users" WHERE "id" = ?1"#;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("the database file");
    let connections: u32 = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the pool size");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let options = SqliteConnectOptions::from_str(&path)
            .expect("a database path")
            .journal_mode(SqliteJournalMode::Wal)
            .read_only(true)
            .statement_cache_capacity(256);
        let pool = SqlitePoolOptions::new()
            .min_connections(connections)
            .max_connections(connections)
            .connect_with(options)
            .await
            .expect("open the pool");
        let pool = Arc::new(pool);
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&*pool)
            .await
            .expect("count the rows");
        let version: String = sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&*pool)
            .await
            .expect("the SQLite version");
        // The first line: which SQLite this build bundles.
        println!("{version}");
        for line in std::io::stdin().lock().lines() {
            let line = line.expect("a round");
            let mut words = line.split_whitespace().map(|w| w.parse::<usize>());
            let (Some(Ok(lookups)), Some(Ok(tasks))) = (words.next(), words.next()) else {
                break;
            };
            let started = Instant::now();
            round(&pool, rows, lookups, tasks).await;
            println!("{}", started.elapsed().as_nanos());
        }
    });
}

/// `lookups` point lookups spread over `tasks` tasks.
async fn round(pool: &Arc<SqlitePool>, rows: i64, lookups: usize, tasks: usize) {
    let mut handles = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let pool = pool.clone();
        let mine = lookups / tasks + usize::from(task < lookups % tasks);
        handles.push(tokio::spawn(async move {
            let mut sum = 0;
            for i in 0..mine {
                let id = ((task * 7919 + i * 104_729) as i64 % rows) + 1;
                let user: User = sqlx::query_as(LOOKUP)
                    .bind(id)
                    .fetch_one(&*pool)
                    .await
                    .expect("a user");
                assert_eq!(user.id, id);
                sum += user.age + user.name.len() as i64 + user.email.len() as i64;
                sum += user.score as i64;
            }
            sum
        }));
    }
    for handle in handles {
        std::hint::black_box(handle.await.expect("a task"));
    }
}
