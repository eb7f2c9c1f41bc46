/**
 * `npm run cli -- backup <file>` (DESIGN §5.6) against the real service while events arrive: the
 * copy holds every event acknowledged before the backup began, its audit verifies, and a service
 * started on it serves the same cases.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { events, submission } from '../support/fixtures.ts';
import {
  createToken, killAll, readOnly, ROOT, sleep, startService, tempDatabase, until, waitHealthy, type ServiceProcess,
} from './harness.ts';

const API = '/api/v1';
const run = promisify(execFile);
const database = tempDatabase('backup');
afterAll(async () => { await killAll(); database.dispose(); });

function backup(target: string) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'backup', target], {
    cwd: ROOT, env: { ...process.env, DATABASE_PATH: database.path }, timeout: 60_000,
  }).then(({ stdout }) => ({ code: 0, stdout }), (error: { code: number; stdout: string; stderr: string }) =>
    ({ code: error.code, stdout: error.stdout, stderr: error.stderr }));
}

async function post(service: ServiceProcess, token: string, path: string, body: unknown) {
  const res = await fetch(`${service.url}${API}${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.json() as { id: string; version: number } };
}

describe('backup while the service takes events', () => {
  it('holds every event acknowledged before it began; its audit verifies; a service starts on it', async () => {
    const local = await createToken(database.path, 'local_team', 'wt-noord', 'R01');
    const expert = await createToken(database.path, 'expert_team', 'ret-r01', 'R01');
    const service = await startService(database.path);
    await waitHealthy(service);

    // A writer: new cases, each given notes, until told to stop; every 2xx is an acknowledged version.
    const acked: { id: string; version: number }[] = [];
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const created = await post(service, local, '/cases', submission());
        expect(created.status).toBe(201);
        acked.push({ id: created.body.id, version: 1 });
        for (let i = 0; i < 5 && !stop; i++) {
          const noted = await post(service, expert, `/cases/${created.body.id}/events`, events.ADD_NOTE());
          expect(noted.status).toBe(200);
          acked.push({ id: noted.body.id, version: noted.body.version });
        }
      }
    })();
    await sleep(1_500);
    const before = [...acked];
    const target = join(database.path, '..', 'backup.db');
    const made = await backup(target);
    await sleep(300);
    stop = true;
    await writer;
    expect(made.code, JSON.stringify(made)).toBe(0);
    const printed = JSON.parse(made.stdout.trim().split('\n').at(-1)!) as { audit: { ok: boolean; checked: number } };
    expect(printed.audit.ok).toBe(true);
    expect(before.length).toBeGreaterThan(20);
    expect(acked.length).toBeGreaterThan(before.length);
    expect(existsSync(`${target}.partial`)).toBe(false);

    const copy = readOnly(target);
    const has = copy.prepare('SELECT 1 FROM case_events WHERE case_id = ? AND version = ?');
    const missing = before.filter((a) => has.get(a.id, a.version) === undefined);
    copy.close();
    expect(missing).toEqual([]);

    // A second backup to the same file is refused (exit 2), leaving the first as it was.
    expect((await backup(target)).code).toBe(2);

    service.child.kill('SIGTERM');
    await service.exited;
    const restored = await startService(target);
    await waitHealthy(restored);
    const some = before.at(-1)!;
    const read = await fetch(`${restored.url}${API}/cases/${some.id}`, { headers: { authorization: `Bearer ${expert}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { version: number }).version).toBeGreaterThanOrEqual(some.version);
    // The start-up verification runs in its own thread while the service already serves.
    const audit = async () => ((await (await fetch(`${restored.url}/health`)).json()) as { audit: string }).audit;
    await until(async () => (await audit()) !== 'verifying', 'the start-up audit verification');
    expect(await audit()).toBe('ok');
  });
});
