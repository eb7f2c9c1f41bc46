import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL store's migrations (DESIGN §5.5); the SQLite ones are in drizzle.config.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/pg/schema.ts',
  out: './db/pg/migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/passend' },
});
