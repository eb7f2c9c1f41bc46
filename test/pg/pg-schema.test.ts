/**
 * The PostgreSQL store's schema (DESIGN §5.5): the same tables, columns and indexes as the SQLite
 * store, migrations that several instances may run at once, and the append-only rules enforced
 * by the database, with the erasure exception the SQLite triggers have.
 */
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import { getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pgSchema from '../../db/pg/schema.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPostgres, PG_MIGRATIONS_FOLDER } from '../../src/store/postgres/client.ts';
import * as sqliteSchema from '../../db/schema.ts';
import { freshPgDatabase, pgUrl, type PgTestDatabase } from '../support/postgres.ts';
import { PG_SCHEMA, pgSchemaSource, SQLITE_SCHEMA } from '../../db/pg-schema.ts';

const tables = (schema: Record<string, unknown>) => Object.fromEntries(Object.values(schema)
  .filter((t): t is Table => typeof t === 'object' && t !== null && Symbol.for('drizzle:IsDrizzleTable') in t)
  .map((t) => [getTableName(t), t]));

describe('the PostgreSQL schema', () => {
  it('is generated from the SQLite schema and up to date (npm run db:pg-schema)', () => {
    expect(readFileSync(PG_SCHEMA, 'utf8')).toBe(pgSchemaSource(readFileSync(SQLITE_SCHEMA, 'utf8')));
  });

  it('has every table, column (name, nullability) and index of the SQLite schema, and no other', () => {
    const lite = tables(sqliteSchema);
    const pgt = tables(pgSchema);
    expect(Object.keys(pgt).sort()).toEqual(Object.keys(lite).sort());
    for (const [name, table] of Object.entries(lite)) {
      const columns = (t: Table) => Object.values(getTableColumns(t)).map((c) => `${c.name}:${c.notNull}`).sort();
      expect(columns(pgt[name]!), name).toEqual(columns(table));
      const liteIndexes = sqliteConfig(table as never).indexes.map((i) => i.config.name).sort();
      const pgIndexes = pgConfig(pgt[name] as never).indexes.map((i) => i.config.name).sort();
      expect(pgIndexes, name).toEqual(liteIndexes);
    }
  });
});

describe.skipIf(!pgUrl)('on PostgreSQL', () => {
  let t: PgTestDatabase;
  beforeAll(async () => { t = await freshPgDatabase(); });
  afterAll(async () => { await t?.drop(); });

  const q = (text: string, values: unknown[] = []) => t.db.$client.query(text, values);
  const at = '2026-03-02T09:00:00.000Z';

  it('migrates once when several instances start at the same time', async () => {
    const others = await Promise.all([1, 2, 3].map(() => openPostgres(t.url, { max: 2 })));
    await Promise.all(others.map((o) => o.$client.end()));
    const { rows } = await q('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(rows[0].n).toBe(journal.entries.length);
  });

  it('refuses to change or remove the trail, the audit trail and the access log', async () => {
    await q(`INSERT INTO cases (id, state, version, machine_version, region, organisation, municipality, snapshot,
      created_at, updated_at) VALUES ('c1', 'submitted', 1, '2.0.0', 'R01', 'o', 'GM0363', '{}', $1, $1)`, [at]);
    await q(`INSERT INTO case_events (case_id, version, type, at, actor_role, actor_name, payload, state)
      VALUES ('c1', 1, 'SUBMIT', $1, 'local_team', 'x', '{"a":1}', 'submitted')`, [at]);
    await q(`INSERT INTO audit_log (seq, at, action, case_id, case_seq, actor_role, actor_name, payload, payload_hash,
      prev_log_hash, log_hash) VALUES (1, $1, 'case_created', 'c1', 1, 'local_team', 'x', '{"a":1}', 'h', 'g', 'l')`, [at]);
    await q(`INSERT INTO access_log (at, request_id, action, route, actor_role, actor_organisation, actor_name,
      actor_client_id, actor_region, case_ids, outcome) VALUES ($1, 'r', 'case.read', 'GET', 'x', 'o', 'n', 'c', 'R01',
      '["c1"]', 'ok')`, [at]);
    for (const statement of [
      "UPDATE case_events SET payload = '{}'", 'DELETE FROM case_events', 'TRUNCATE case_events CASCADE',
      "UPDATE audit_log SET erased_at = 'now', entry_hash = 'e'", 'DELETE FROM audit_log', 'TRUNCATE audit_log',
      "UPDATE access_log SET case_ids = '[]'", 'DELETE FROM access_log', 'TRUNCATE access_log',
    ]) {
      await expect(q(statement), statement).rejects.toThrow(/append-only/);
    }
  });

  it('lets the content of a destroyed case be reduced, every hashed field kept', async () => {
    await q('UPDATE cases SET erased_at = $1, snapshot = \'{}\' WHERE id = \'c1\'', [at]);
    await q('UPDATE case_events SET payload = \'{}\' WHERE case_id = \'c1\'');
    await q('UPDATE audit_log SET erased_at = $1, payload = \'{}\' WHERE case_id = \'c1\'', [at]);
    await expect(q('UPDATE audit_log SET log_hash = \'forged\' WHERE case_id = \'c1\'')).rejects.toThrow(/append-only/);
    await q('DELETE FROM access_log');
    const { rows } = await q('SELECT (SELECT payload FROM case_events) AS e, (SELECT count(*)::int FROM access_log) AS n');
    expect(rows[0]).toEqual({ e: '{}', n: 0 });
  });
});
