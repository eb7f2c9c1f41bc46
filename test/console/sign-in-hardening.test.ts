/**
 * Sign-in, hardened (issue 29): a session ends exactly SESSION_IDLE_MINUTES after the last request
 * (it ended up to a minute early); sign-in codes are throttled per address and every attempt is
 * logged, never the code; links are built from PUBLIC_URL, which production requires, and never
 * from the Host header.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/sqlite/client.ts';
import { buildApp, type App } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { captureLog, ROOT } from '../audit/support.ts';
import { encodeForm, person, signIn } from './session.ts';
import { sqliteStore } from '../../src/store/sqlite/store.ts';

describe('the idle clock', () => {
  let ctx: TestContext;
  beforeAll(async () => { ctx = await createTestContext({ config: { SESSION_IDLE_MINUTES: 30 } }); });
  afterAll(() => ctx.close());

  it('ends a session exactly 30 minutes after the last request, not 30 minutes after the last whole minute', async () => {
    const browser = await signIn(ctx, await person(ctx, 'local_team', 'wt-noord'));
    for (let i = 0; i < 3; i++) {
      ctx.clock.advance(40_000); // requests 40 s apart: each restarts the clock
      expect((await browser.get('/casussen')).statusCode).toBe(200);
    }
    ctx.clock.advance(30 * 60_000);
    expect((await browser.get('/casussen')).statusCode).toBe(200);
    ctx.clock.advance(30 * 60_000 + 1);
    const ended = await browser.get('/casussen');
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/');
  });
});

describe('sign-in codes', () => {
  const LIMIT = 5;
  const log = captureLog();
  let db: Db;
  let app: App;
  let ctxLike: TestContext;

  beforeAll(async () => {
    db = openDatabase(':memory:');
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    app = await buildApp({ config: { LOG_LEVEL: 'info', RATE_LIMIT_FAILED_AUTH: LIMIT }, store: sqliteStore(db, clock), clock, logger: log.logger });
    ctxLike = { app, clock } as unknown as TestContext;
  });
  afterAll(async () => { await app.close(); db.$client.close(); });

  const tryCode = (code: string, remoteAddress: string, method: 'GET' | 'POST' = 'POST') => (method === 'GET'
    ? app.inject({ url: `/inloggen?code=${encodeURIComponent(code)}`, remoteAddress })
    : app.inject({ method: 'POST', url: '/inloggen', payload: encodeForm({ code }), remoteAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded' } }));

  it('throttles an address after its wrong codes, logs each attempt without the code, and lets other addresses in', async () => {
    const user = await person(ctxLike, 'expert_team', 'ret-r01');
    const good = (await app.services.people.signInLink(user.id, new Date('2026-01-05T09:00:00Z')))!;
    const guesses = Array.from({ length: LIMIT + 3 }, (_, i) => `gok-${i}-${'x'.repeat(30)}`);
    const answers: number[] = [];
    for (const [i, guess] of guesses.entries()) answers.push((await tryCode(guess, '10.9.0.1', i % 2 ? 'GET' : 'POST')).statusCode);
    expect(answers).toEqual([...Array(LIMIT).fill(400), 429, 429, 429]);
    // A good code from that address waits too (it stays valid); from another address it signs in.
    const waiting = await tryCode(good, '10.9.0.1');
    expect(waiting.statusCode).toBe(429);
    expect(waiting.headers['retry-after']).toBe('60');
    expect((await tryCode(good, '10.9.0.2')).statusCode).toBe(303);

    const attempts = log.lines.filter((l) => l.attempt === 'sign_in_code');
    expect(attempts.map((l) => l.outcome)).toEqual([...Array(LIMIT).fill('refused'), 'throttled', 'throttled', 'throttled', 'throttled', 'signed_in']);
    expect(attempts.filter((l) => l.outcome !== 'signed_in').every((l) => l.address === '10.9.0.1')).toBe(true);
    const everything = JSON.stringify(log.lines);
    for (const code of [good, ...guesses]) expect(everything).not.toContain(code);
  });
});

describe('PUBLIC_URL', () => {
  it('is required when NODE_ENV=production: a start-up error names it', async () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL is required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://passend.regio.nl' }).PUBLIC_URL).toBe('https://passend.regio.nl');
    const { PUBLIC_URL: _unset, ...env } = process.env;
    const started = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: ROOT, timeout: 30_000,
        env: { ...env, NODE_ENV: 'production', DATABASE_PATH: '/nonexistent/never-opened.db', PORT: '0' },
      }, (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }));
    });
    expect(started.code).not.toBe(0);
    expect(started.stderr).toMatch(/PUBLIC_URL is required when NODE_ENV=production/);
  });
});
