/**
 * Every SQLite connection has secure_delete from its first statement (issue 29): the service's
 * (openDatabase), the read threads' and the command line's (openSqlite, read-only too).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/client.ts';
import { openSqlite } from '../../src/store/sqlite/connection.ts';
import { tempDir } from '../audit/support.ts';

const tmp = tempDir('passend-connection-');
afterAll(() => tmp.remove());

describe('SQLite connections', () => {
  it('open with secure_delete on, read-only ones included', () => {
    const path = join(tmp.dir, 'passend.db');
    const db = openDatabase(path);
    const readOnly = openSqlite(path, { readonly: true, fileMustExist: true });
    const plain = openSqlite(path, { fileMustExist: true });
    try {
      for (const sqlite of [db.$client, readOnly, plain]) expect(sqlite.pragma('secure_delete', { simple: true })).toBe(1);
    } finally {
      for (const sqlite of [db.$client, readOnly, plain]) sqlite.close();
    }
  });
});
