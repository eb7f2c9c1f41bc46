/**
 * Helpers for the audit tests: a test app on a database FILE (so that a test can tamper with the
 * file from outside and build a fresh app on it), the command line and the export checker as
 * child processes, and raw access to the audit rows.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { openDatabase, type Db } from '../../src/store/sqlite/client.ts';
import { buildApp } from '../../src/app.ts';
import type { AuditFields, Chained } from '../../src/audit/audit-hash.ts';
import { clientLookup } from '../../src/store/sqlite/clients.ts';
import { runCli as runCommandLine } from '../../src/cli.ts';
import { ManualClock } from '../../src/clock.ts';
import { loggerOptions } from '../../src/logger.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import type { Actor } from '../../src/auth/actors.ts';
import { sqliteStore } from '../../src/store/sqlite/store.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const START = '2026-01-05T09:00:00.000Z';
export const PURPOSE = 'Toezicht op de expertteams, onderzoek 2026-17';
export const DAY = 24 * 3_600_000;

export function tempDir(prefix = 'passend-audit-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Log lines captured from the app's pino logger. */
export interface CapturedLog {
  lines: Record<string, unknown>[];
  logger: pino.Logger;
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino(loggerOptions('info'), sink) };
}

/** An app on an existing (or new) database file, without creating any token. */
export async function openFileApp(path: string, options: { clock?: ManualClock; logger?: pino.Logger } = {}) {
  const db = openDatabase(path);
  const clock = options.clock ?? new ManualClock(START);
  const app = await buildApp({
    config: { LOG_LEVEL: 'silent' }, store: sqliteStore(db, clock), clock, ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    app, db, clock,
    async close() { await app.close(); db.$client.close(); },
  };
}

/** The test context of test/support/app.ts, on a database file instead of :memory:. */
export const createFileContext = (path: string): Promise<TestContext> => createTestContext({ path });

/** The full actor (client id included) behind a caller's token. */
export function actorFor(db: Db, caller: Caller): Actor {
  const actor = clientLookup(db)(caller.token);
  if (!actor) throw new Error('no active client for this token');
  return actor;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last line of stdout as JSON. */
  json(): Record<string, unknown>;
}

function run(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({
        code, stdout, stderr,
        json: () => JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as Record<string, unknown>,
      });
    });
  });
}

/**
 * `npm run cli -- <args>` against the database file at `databasePath`, run in-process (the
 * function the script calls; test/cli.test.ts also starts the script itself), so that a test with
 * several commands does not wait for several Node processes to start on a busy machine.
 */
export async function runCli(databasePath: string, ...args: string[]): Promise<ProcessResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCommandLine(args, { DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' }, {
    out: (text) => { stdout += text; },
    err: (text) => { stderr += text; },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as Record<string, unknown> };
}

/** `node --import tsx scripts/verify-trail-export.ts <file>`, with no database anywhere in reach. */
export const runVerifyExport = (file: string): Promise<ProcessResult> =>
  run(['scripts/verify-trail-export.ts', file], { DATABASE_PATH: join(tmpdir(), 'no-such-dir', 'none.db') });

/** An audit row as stored (snake_case columns). */
export type RawAuditRow = Record<string, string | number | null>;

export type AuditRow = AuditFields & Chained;

export function toAuditRow(raw: RawAuditRow): AuditRow {
  return {
    seq: raw.seq as number, at: raw.at as string, action: raw.action as string,
    caseId: raw.case_id as string | null, caseSeq: raw.case_seq as number | null,
    actorRole: raw.actor_role as string, actorOrganisation: raw.actor_organisation as string | null,
    actorName: raw.actor_name as string, actorClientId: raw.actor_client_id as string | null,
    onBehalfOf: raw.on_behalf_of as string | null, eventType: raw.event_type as string | null,
    fromState: raw.from_state as string | null, toState: raw.to_state as string | null,
    machineVersion: raw.machine_version as string | null, payload: raw.payload as string,
    payloadHash: raw.payload_hash as string | null,
    prevCaseHash: raw.prev_case_hash as string | null, caseHash: raw.case_hash as string | null,
    prevLogHash: raw.prev_log_hash as string, logHash: raw.log_hash as string,
  };
}

/** Every audit row of a database file, in seq order, read around the service. */
export function auditRowsOf(path: string): AuditRow[] {
  const sqlite = new Database(path, { readonly: true });
  try {
    return (sqlite.prepare('SELECT * FROM audit_log ORDER BY seq').all() as RawAuditRow[]).map(toAuditRow);
  } finally {
    sqlite.close();
  }
}

/** Every audit row of an open database, in seq order. */
export function auditRows(db: Db): AuditRow[] {
  return (db.$client.prepare('SELECT * FROM audit_log ORDER BY seq').all() as RawAuditRow[]).map(toAuditRow);
}

export const APPEND_ONLY_TRIGGERS = [
  'audit_log_no_update', 'audit_log_no_delete', 'access_log_no_update', 'access_log_no_delete',
  'case_events_no_update', 'case_events_no_delete',
] as const;

/** Opens the file directly, drops the append-only triggers of the audit log and runs `change`. */
export function tamper(path: string, change: (sqlite: Database.Database) => void): void {
  const sqlite = new Database(path);
  try {
    sqlite.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    sqlite.transaction(() => change(sqlite))();
  } finally {
    sqlite.close();
  }
}
