// The tables the API docs' relation examples use, included (hidden) by their doc-tests:
// `include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));`. Two authors,
// three books, one bio.

use d1orm::{Database, Table};
use d1orm_sqlite::SqliteBackend;

#[derive(Debug, Clone, PartialEq, Table)]
struct Author {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Table)]
struct Book {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    // b.author() (one), a.books() (many)
    #[d1orm(references(Author::id))]
    author_id: i64,
    // b.editor() (optional), a.edited() (many)
    #[d1orm(references(Author::id), inverse = "edited")]
    editor_id: Option<i64>,
    title: String,
    year: i64,
}

#[derive(Debug, Clone, PartialEq, Table)]
struct Bio {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    // UNIQUE: a.bio() (optional, a has-one)
    #[d1orm(references(Author::id), unique)]
    author_id: i64,
    text: String,
}

/// Le Guin (1) wrote "A Wizard of Earthsea" (1968) and "The Dispossessed" (1974, edited
/// by Butler) and has a bio; Butler (2) wrote "Kindred" (1979).
async fn library() -> d1orm::Result<Database<SqliteBackend>> {
    let db = Database::new(SqliteBackend::open_in_memory()?);
    db.migrate(&d1orm::Schema::new().table::<Author>().table::<Book>().table::<Bio>())
        .await?;
    db.authors()
        .insert_many([NewAuthor::builder().name("Le Guin").build(), NewAuthor::builder().name("Butler").build()])
        .await?;
    let mut dispossessed = NewBook::builder().author_id(1).title("The Dispossessed").year(1974).build();
    dispossessed.editor_id = Some(2);
    db.books()
        .insert_many([
            NewBook::builder().author_id(1).title("A Wizard of Earthsea").year(1968).build(),
            dispossessed,
            NewBook::builder().author_id(2).title("Kindred").year(1979).build(),
        ])
        .await?;
    db.bios().insert(NewBio::builder().author_id(1).text("Wrote Earthsea.").build()).await?;
    Ok(db)
}
