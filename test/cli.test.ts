/**
 * The command line (DESIGN §3, issue 3), run in-process (`runCli`, the function the script calls)
 * against a temporary database file named by DATABASE_PATH, so that the suite's speed does not
 * depend on starting a Node process per command on a busy machine; one test starts the script
 * itself, with its own generous timeout. `region set` prints the region's settings as JSON and exits 0,
 * refuses invalid durations with exit code 2 and a message, changing nothing; `token create`
 * prints the token alone on the last line. A running app picks up a region change without a
 * restart, for deadlines armed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/store/sqlite/client.ts';
import { buildApp } from '../src/app.ts';
import { clientLookup, createClient } from '../src/store/sqlite/clients.ts';
import { ManualClock } from '../src/clock.ts';
import { regionSettings } from '../src/store/sqlite/regions.ts';
import { runCli } from '../src/cli.ts';
import { COMMANDS } from '../src/cli/usage.ts';
import { submission } from './support/fixtures.ts';
import { sqliteStore } from '../src/store/sqlite/store.ts';

/** The project root: the script runs from there, as `npm run cli` does. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let dbPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'passend-cli-'));
  dbPath = join(dir, 'data', 'passend.db');
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** One command line, in-process: its exit code and what it wrote. */
async function cli(args: string[], databasePath = dbPath, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, { DATABASE_PATH: databasePath, LOG_LEVEL: 'silent', ...env }, {
    out: (text) => { stdout += text; },
    err: (text) => { stderr += text; },
  });
  return { status, stdout, stderr };
}

/** The stored settings of a region, read directly from the database file. */
function stored(region: string, databasePath = dbPath) {
  const db = openDatabase(databasePath);
  try {
    return regionSettings(db).get(region).env;
  } finally {
    db.$client.close();
  }
}

describe('region set', () => {
  it('sets durations and the bridging threshold, prints the settings as JSON and exits 0', async () => {
    const run = await cli(['region', 'set', 'R9', '--triage', 'PT2S', '--overleg', 'P7D', '--advice', 'P10D', '--bridging-threshold-weeks', '2']);
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      region: 'R9',
      bridgingThresholdWeeks: 2,
      deadlines: { triage: 'PT2S', triageUrgent: 'P1D', overleg: 'P7D', advice: 'P10D', checkpoint: 'P28D', reassessment: 'P3M', escalation: 'P21D' },
    });
    expect(stored('R9')).toEqual({
      bridgingThresholdWeeks: 2,
      deadlines: { triage: 'PT2S', triageUrgent: 'P1D', overleg: 'P7D', advice: 'P10D', checkpoint: 'P28D', reassessment: 'P3M', escalation: 'P21D' },
    });
    // Another region keeps the defaults.
    expect(stored('R10').deadlines).toEqual({
      triage: 'P5D', triageUrgent: 'P1D', overleg: 'P14D', advice: 'P14D', checkpoint: 'P28D', reassessment: 'P3M', escalation: 'P21D',
    });
  });

  it('a later set changes only the flags it names', async () => {
    const run = await cli(['region', 'set', 'R9', '--checkpoint', 'P14D', '--triage-urgent', 'PT12H', '--reassessment', 'P6W']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ region: 'R9', bridgingThresholdWeeks: 2 });
    expect(stored('R9')).toEqual({
      bridgingThresholdWeeks: 2,
      deadlines: { triage: 'PT2S', triageUrgent: 'PT12H', overleg: 'P7D', advice: 'P10D', checkpoint: 'P14D', reassessment: 'P6W', escalation: 'P21D' },
    });
  });

  it('sets the waiting norm in whole weeks, refuses another value, and removes it with an empty value (§6.4)', async () => {
    const set = await cli(['region', 'set', 'R9', '--waiting-norm', '8']);
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ region: 'R9', waitingNorm: 8 });
    const bad = await cli(['region', 'set', 'R9', '--waiting-norm', '8.5']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--waiting-norm/);
    const removed = await cli(['region', 'set', 'R9', '--waiting-norm', '']);
    expect(JSON.parse(removed.stdout)).toMatchObject({ waitingNorm: null });
  });

  it.each(['5D', 'P', 'P-1D', 'PT0S'])('refuses --triage %s: exit 2, a message, nothing changed', async (bad) => {
    const before = stored('R9');
    const run = await cli(['region', 'set', 'R9', '--triage', bad]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--triage/);
    expect(run.stderr).toMatch(/ISO 8601|duration/i);
    expect(run.stdout).toBe('');
    expect(stored('R9')).toEqual(before);
  });

  it.each(['5D', 'P', 'P-1D', 'PT0S'])('refuses --overleg %s even next to a valid flag, changing nothing', async (bad) => {
    const before = stored('R9');
    const run = await cli(['region', 'set', 'R9', '--triage', 'P3D', '--bridging-threshold-weeks', '9', '--overleg', bad]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--overleg/);
    expect(stored('R9')).toEqual(before);
    expect(stored('R9').deadlines.triage).toBe('PT2S');
  });

  it('refuses a bridging threshold that is not a whole number of weeks', async () => {
    const before = stored('R9');
    for (const bad of ['-1', '1.5', 'two']) {
      const run = await cli(['region', 'set', 'R9', '--bridging-threshold-weeks', bad]);
      expect(run.status, bad).toBe(2);
      expect(run.stderr.length).toBeGreaterThan(0);
    }
    expect(stored('R9')).toEqual(before);
  });

  it('sets the region\'s municipalities, refuses a code not in force today, and clears them with an empty list', async () => {
    const municipalities = (databasePath = dbPath) => {
      const db = openDatabase(databasePath);
      try { return regionSettings(db).get('R9').municipalities; } finally { db.$client.close(); }
    };
    const set = await cli(['region', 'set', 'R9', '--municipalities', 'GM0153, GM0164']);
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ region: 'R9', municipalities: ['GM0153', 'GM0164'] });
    expect(municipalities()).toEqual(['GM0153', 'GM0164']);
    // Weesp (GM0457) merged into Amsterdam in 2022, and GM9999 never existed.
    for (const bad of ['GM0153,GM0457', 'GM9999', 'Enschede']) {
      const run = await cli(['region', 'set', 'R9', '--municipalities', bad]);
      expect(run.status, bad).toBe(2);
      expect(run.stderr).toMatch(/--municipalities/);
      expect(municipalities()).toEqual(['GM0153', 'GM0164']);
    }
    const clear = await cli(['region', 'set', 'R9', '--municipalities', '']);
    expect(clear.status, clear.stderr).toBe(0);
    expect(municipalities()).toBeNull();
  });

  it('region show prints what region set stored', async () => {
    const run = await cli(['region', 'show', 'R9']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ region: 'R9', ...stored('R9') });
  });
});

describe('organisation set', () => {
  it('names an organisation, renames it, lists the names, and refuses a bad id or an empty name with exit 2', async () => {
    const set = await cli(['organisation', 'set', 'wt-noord', '--name', 'Wijkteam Noord']);
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ id: 'wt-noord', name: 'Wijkteam Noord' });
    expect((await cli(['organisation', 'set', 'wt-noord', '--name', 'Wijkteam Amsterdam-Noord'])).status).toBe(0);
    const list = await cli(['organisation', 'list']);
    expect(list.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toContainEqual({ id: 'wt-noord', name: 'Wijkteam Amsterdam-Noord' });
    const badId = await cli(['organisation', 'set', 'wt noord', '--name', 'Wijkteam']);
    expect(badId.status).toBe(2);
    expect(badId.stderr).toContain('organisation id');
    const noName = await cli(['organisation', 'set', 'wt-zuid']);
    expect(noName.status).toBe(2);
    expect(noName.stderr).toContain('--name');
  });
});

describe('token create', () => {
  it('prints the token alone on the last line of stdout; the token works and is not stored in clear', async () => {
    const run = await cli(['token', 'create', '--role', 'expert_team', '--org', 'ret-r9', '--region', 'R9', '--name', 'Expertteam R9']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.at(-1), 'stdout ends with a newline').toBe('');
    const token = lines.at(-2) ?? '';
    expect(token).toMatch(/^\S{20,}$/);
    expect(token).toBe(token.trim());
    const db = openDatabase(dbPath);
    try {
      expect(clientLookup(db)(token)).toMatchObject({
        role: 'expert_team', organisation: 'ret-r9', region: 'R9', name: 'Expertteam R9',
      });
      const rows = db.$client.prepare('SELECT * FROM api_clients').all();
      expect(JSON.stringify(rows)).not.toContain(token);
    } finally {
      db.$client.close();
    }
  });

  it('refuses a missing role with exit 2', async () => {
    const run = await cli(['token', 'create', '--org', 'x', '--region', 'R9', '--name', 'X']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/role/);
  });
});

describe('user create and user sign-in-link (DESIGN §5.4)', () => {
  it('prints the user id and then a one-time link alone on the last line; the link signs the person in to the console', async () => {
    const created = await cli(['user', 'create', '--role', 'admin', '--org', 'beheer-r9', '--region', 'R9',
      '--name', 'Bea Beheer', '--email', 'Bea@Example.nl']);
    expect(created.status, created.stderr).toBe(0);
    const id = created.stdout.trimEnd().split('\n').at(-1)!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const link = await cli(['user', 'sign-in-link', id], dbPath, { PUBLIC_URL: 'https://passend.regio9.nl/' });
    expect(link.status, link.stderr).toBe(0);
    const url = new URL(link.stdout.trimEnd().split('\n').at(-1)!);
    expect(`${url.origin}${url.pathname}`).toBe('https://passend.regio9.nl/inloggen');
    const db = openDatabase(dbPath);
    const app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store: sqliteStore(db) });
    try {
      const page = await app.inject({ url: `${url.pathname}${url.search}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('lang="nl"');
      const signIn = await app.inject({
        method: 'POST', url: '/inloggen', payload: `code=${url.searchParams.get('code')}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(signIn.statusCode).toBe(303);
      expect(signIn.headers.location).toBe('/beheer');
      const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
      const admin = await app.inject({ url: '/beheer', headers: { cookie } });
      expect(admin.statusCode).toBe(200);
      expect(admin.body).toContain('Bea Beheer');
      // The email is stored lower-case and never printed by `user list`.
      expect((await cli(['user', 'list'])).stdout).not.toMatch(/example\.nl/i);
    } finally {
      await app.close();
      db.$client.close();
    }
  });

  it('refuses a second person with the same email, a bad email, and a link for no such user, with exit 2', async () => {
    const args = ['user', 'create', '--role', 'local_team', '--org', 'wt-9', '--region', 'R9', '--name', 'W'];
    expect((await cli([...args, '--email', 'w@example.nl'])).status).toBe(0);
    const twice = await cli([...args, '--email', 'W@example.nl']);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/email/);
    expect((await cli([...args, '--email', 'geen-adres'])).status).toBe(2);
    expect((await cli(['user', 'sign-in-link', '00000000-0000-4000-8000-000000000000'])).status).toBe(2);
    // Region `*` is for inspectors and for the admin who manages every region (§6.3), no one else.
    expect((await cli(['user', 'create', '--role', 'local_team', '--org', 'x', '--region', '*', '--name', 'X', '--email', 'x@example.nl'])).status).toBe(2);
    expect((await cli(['user', 'create', '--role', 'admin', '--org', 'x', '--region', '*', '--name', 'X', '--email', 'x@example.nl'])).status).toBe(0);
  });
});

describe('user set --notices, user enable (§6.3)', () => {
  it('sets how a person gets e-mail notices, refuses anything else, and enables a disabled person again', async () => {
    const created = await cli(['user', 'create', '--role', 'local_team', '--org', 'wt-9', '--region', 'R9',
      '--name', 'Noor', '--email', 'noor@example.nl']);
    const id = created.stdout.trimEnd().split('\n').at(-1)!;
    const notices = async () => {
      const db = openDatabase(dbPath);
      try {
        return db.$client.prepare('SELECT notices FROM users WHERE id = ?').pluck().get(id);
      } finally {
        db.$client.close();
      }
    };
    expect(await notices()).toBe('instant');
    for (const value of ['daily', 'off', 'instant']) {
      const set = await cli(['user', 'set', id, '--notices', value]);
      expect(set.status, set.stderr).toBe(0);
      expect(await notices()).toBe(value);
    }
    const wrong = await cli(['user', 'set', id, '--notices', 'weekly']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/instant, daily or off/);
    expect((await cli(['user', 'set', id])).status).toBe(2);
    expect((await cli(['user', 'set', '00000000-0000-4000-8000-000000000000', '--notices', 'off'])).status).toBe(2);
    expect(await notices()).toBe('instant');

    expect((await cli(['user', 'enable', id])).status, 'not disabled').toBe(2);
    expect((await cli(['user', 'disable', id])).status).toBe(0);
    expect((await cli(['user', 'enable', id])).status).toBe(0);
    expect((await cli(['user', 'sign-in-link', id])).status, 'active again').toBe(0);
  });
});

describe('region set against a running app', () => {
  let appDir: string;
  let db: Db;
  afterAll(() => {
    db?.$client.close();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  it('applies to deadlines armed after it returns, without a restart; armed ones keep their due time', async () => {
    appDir = mkdtempSync(join(tmpdir(), 'passend-cli-app-'));
    const path = join(appDir, 'passend.db');
    db = openDatabase(path);
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    const app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store: sqliteStore(db, clock), clock });
    try {
      const { token } = createClient(db, { role: 'local_team', organisation: 'wt-9', region: 'R9', name: 'WT 9' }, clock.now());
      const expert = createClient(db, { role: 'expert_team', organisation: 'ret-9', region: 'R9', name: 'RET 9' }, clock.now()).token;
      const submit = async () => {
        const res = await app.inject({
          method: 'POST', url: '/api/v1/cases', payload: submission(), headers: { authorization: `Bearer ${token}` },
        });
        expect(res.statusCode, res.body).toBe(201);
        return res.json() as { id: string; deadlines: { name: string; dueAt: string }[] };
      };
      const read = async (id: string) =>
        (await app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: { authorization: `Bearer ${expert}` } }))
          .json() as { overdue: boolean; deadlines: { name: string; dueAt: string }[] };

      const before = await submit();
      expect(before.deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }]);

      const run = await cli(['region', 'set', 'R9', '--triage', 'PT2S'], path);
      expect(run.status, run.stderr).toBe(0);

      const after = await submit();
      expect(after.deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-05T09:00:02.000Z' }]);
      expect((await read(before.id)).deadlines).toEqual(before.deadlines);

      clock.set('2026-01-05T09:00:01.999Z');
      expect((await app.scheduler.runOnce()).timersFired).toBe(0);
      clock.set('2026-01-05T09:00:02.000Z');
      expect((await app.scheduler.runOnce()).timersFired).toBe(1);
      expect((await read(after.id)).overdue).toBe(true);
      expect((await read(before.id)).overdue).toBe(false);
    } finally {
      await app.close();
    }
  });
});

describe('the CLI explains itself', () => {
  const entries = (text: string) => text.split('\n').filter((line) => line.startsWith('  npm run cli -- '));

  it.each([['--help'], ['-h'], ['help']])('%s prints the usage on stdout and exits 0, one entry per command', async (flag) => {
    const run = await cli([flag]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const names = entries(run.stdout).map((line) => line.replace('  npm run cli -- ', '').split(/ [<[-]/)[0]!.trim());
    expect(names).toContain('region set');
    expect(names).toContain('user create');
    expect(names).toContain('store copy');
    expect(names).toContain('organisation set');
    // Every command the parser knows, and nothing else (COMMANDS is what the parser accepts).
    expect([...names].sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(new Set(names).size, 'no command listed twice').toBe(names.length);
  });

  it('help <command> and <command> --help print that command alone, with every flag it takes', async () => {
    for (const args of [['help', 'region', 'set'], ['region', 'set', '--help']]) {
      const run = await cli(args);
      expect(run.status, args.join(' ')).toBe(0);
      expect(entries(run.stdout)).toHaveLength(1);
      for (const flag of ['--triage', '--municipalities', '--retention', '--housekeeping']) expect(run.stdout).toContain(flag);
    }
    const group = await cli(['help', 'user']);
    expect(group.status).toBe(0);
    expect(entries(group.stdout)).toHaveLength(6);
  });

  it('names an unknown command or topic, exits 2 and prints the usage on stderr', async () => {
    for (const args of [['frobnicate'], ['help', 'frobnicate'], ['region', 'delete', 'R9'], []]) {
      const run = await cli(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/usage:/);
    }
    expect((await cli(['frobnicate'])).stderr).toMatch(/^unknown command: frobnicate/);
  });

  it('names an unknown flag, and a flag the command does not take, exits 2 and changes nothing', async () => {
    const before = stored('R9');
    const typo = await cli(['region', 'set', 'R9', '--trage', 'P1D']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/^unknown flag --trage\n/);
    expect(entries(typo.stderr), 'the usage of region set').toHaveLength(1);
    const elsewhere = await cli(['token', 'list', '--triage', 'P1D']);
    expect(elsewhere.status).toBe(2);
    expect(elsewhere.stderr).toMatch(/^token list: unknown flag --triage\n/);
    expect(stored('R9')).toEqual(before);
  });

  it('run as a script, `--help` exits 0 with the usage (a child process: its own, generous timeout)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--help'], {
      cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_PATH: dbPath },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage:\n/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'region', 'set', 'R9', '--trage', 'P1D'], {
      cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_PATH: dbPath },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown flag --trage/);
  }, 240_000);
});
