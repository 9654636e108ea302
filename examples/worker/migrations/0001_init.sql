-- Written by d1orm from the schema in d1orm-schema.json.
CREATE TABLE IF NOT EXISTS "projects" ("slug" TEXT PRIMARY KEY NOT NULL, "name" TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "tasks" ("id" INTEGER PRIMARY KEY, "project" TEXT NOT NULL REFERENCES "projects" ("slug") ON DELETE CASCADE ON UPDATE NO ACTION, "title" TEXT NOT NULL, "done" INTEGER NOT NULL DEFAULT (0), "priority" INTEGER NOT NULL DEFAULT (0));
CREATE INDEX IF NOT EXISTS "idx_tasks_project" ON "tasks" ("project");
