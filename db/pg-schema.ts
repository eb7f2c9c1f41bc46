/**
 * The PostgreSQL schema comes from the SQLite one: the tables are defined once, in db/schema.ts,
 * and db/pg/schema.ts is this function's output (`npm run db:pg-schema` writes it;
 * test/pg/pg-schema.test.ts fails when it is out of date). The two dialects differ only in the
 * table builder's module and in how a database-given `seq` is declared (SQLite's AUTOINCREMENT,
 * PostgreSQL's identity column, which also takes the explicit values `store copy` writes).
 *
 * Run as a script: writes db/pg/schema.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HEADER = `/**
 * GENERATED from db/schema.ts by db/pg-schema.ts (\`npm run db:pg-schema\`): edit db/schema.ts.
 *
 * The drizzle schema of passend's PostgreSQL store (DESIGN §5.5): the same tables, columns and
 * indexes as the SQLite store, so that one region moves from its file to a shared server row for
 * row (\`store copy\`). Times stay ISO 8601 UTC text and JSON stays text, byte for byte as written:
 * the audit chain hashes those exact strings. Migrations in db/pg/migrations are generated from
 * this file (\`npm run db:generate:pg\`); the append-only triggers live in the custom migration
 * beside them.
 */`;

/** The PostgreSQL schema's source text, from the SQLite schema's. */
export function pgSchemaSource(sqlite: string): string {
  const body = sqlite.replace(/^\/\*\*[\s\S]*?\*\/\n/, '');
  const replaced = body
    .replace("from 'drizzle-orm/sqlite-core';", "from 'drizzle-orm/pg-core';")
    .replace(/\bsqliteTable\b/g, 'pgTable')
    .replace(/integer\('seq'\)\.primaryKey\(\{ autoIncrement: true \}\)/g,
      "integer('seq').primaryKey().generatedByDefaultAsIdentity()");
  // The import's names stay sorted as they were written.
  const sorted = replaced.replace(/import \{ ([^}]+) \} from 'drizzle-orm\/pg-core';/, (_m, names: string) =>
    `import { ${names.split(', ').sort((a, b) => a.localeCompare(b)).join(', ')} } from 'drizzle-orm/pg-core';`);
  return `${HEADER}\n${sorted}`;
}

export const SQLITE_SCHEMA = fileURLToPath(new URL('./schema.ts', import.meta.url));
export const PG_SCHEMA = fileURLToPath(new URL('./pg/schema.ts', import.meta.url));

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(PG_SCHEMA, pgSchemaSource(readFileSync(SQLITE_SCHEMA, 'utf8')));
}
