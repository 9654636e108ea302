-- Written by d1orm from the schema in d1orm-schema.json.
CREATE TABLE IF NOT EXISTS "events" ("id" INTEGER PRIMARY KEY, "kind" TEXT NOT NULL, "detail" TEXT);
