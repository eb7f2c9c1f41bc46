/**
 * Rate limits (issue 13): failed authentications per address and requests per client, answered
 * with 429 problem+json and Retry-After. The review sent 3,000 wrong tokens in 3 s and got 3,000
 * 401s; now the address's failures are stopped after its limit, while other clients go on.
 *
 * Issue 29: a valid token is never refused for its address's failures (behind a load balancer
 * every client has the balancer's address), and with TRUST_PROXY the address that counts is the
 * one the trusted proxy names in X-Forwarded-For; from anyone else that header counts for nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/sqlite/client.ts';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createClient } from '../../src/store/sqlite/clients.ts';
import { ManualClock } from '../../src/clock.ts';
import { expectProblem } from '../support/http.ts';
import { sqliteStore } from '../../src/store/sqlite/store.ts';

let app: App;
let db: Db;
let token: string;
let other: string;
const FAILED = 5;
const PER_CLIENT = 20;

beforeAll(async () => {
  db = openDatabase(':memory:');
  const clock = new ManualClock('2026-01-05T09:00:00Z');
  app = await buildApp({
    config: { LOG_LEVEL: 'silent', RATE_LIMIT_FAILED_AUTH: FAILED, RATE_LIMIT_PER_CLIENT: PER_CLIENT }, store: sqliteStore(db, clock), clock,
  });
  token = createClient(db, { role: 'local_team', organisation: 'wt', region: 'R01', name: 'WT' }, clock.now()).token;
  other = createClient(db, { role: 'local_team', organisation: 'wt2', region: 'R01', name: 'WT2' }, clock.now()).token;
});
afterAll(async () => { await app.close(); db.$client.close(); });

const list = (bearer: string, remoteAddress = '10.0.0.1') =>
  app.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${bearer}` }, remoteAddress });

describe('rate limits', () => {
  it('stop an address\'s failed authentications after its limit, but never a good token from it', async () => {
    for (let i = 0; i < FAILED; i++) expectProblem(await list('wrong-token', '10.0.0.9'), 401, 'UNAUTHENTICATED');
    const stopped = await list('wrong-token', '10.0.0.9');
    expectProblem(stopped, 429, 'TOO_MANY_REQUESTS');
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(stopped.headers['retry-after'])).toBeLessThanOrEqual(60);
    expectProblem(await list('', '10.0.0.9'), 429, 'TOO_MANY_REQUESTS');
    expect((await list(token, '10.0.0.9')).statusCode).toBe(200);
    expect((await list(token, '10.0.0.10')).statusCode).toBe(200);
  });

  it('do not count successful authentications as failures', async () => {
    for (let i = 0; i < FAILED * 2; i++) expect((await list(other, '10.0.0.20')).statusCode).toBe(200);
  });

  it('limit the requests of one client, whatever its address, and not the others', async () => {
    const limited = createClient(db, { role: 'local_team', organisation: 'wt3', region: 'R01', name: 'WT3' },
      new Date('2026-01-05T09:00:00Z')).token;
    let refused = 0;
    for (let i = 0; i < PER_CLIENT + 5; i++) {
      const res = await list(limited, `10.0.1.${i}`);
      if (res.statusCode === 429) {
        refused += 1;
        expectProblem(res, 429, 'TOO_MANY_REQUESTS');
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
      } else expect(res.statusCode).toBe(200);
    }
    expect(refused).toBe(5);
    expect((await list(token, '10.0.0.30')).statusCode).toBe(200);
  });
});

describe('one client cannot lock out the rest (issue 29)', () => {
  const PROXY = '10.0.0.5';
  let proxied: App;
  let pdb: Db;
  let good: string;

  beforeAll(async () => {
    pdb = openDatabase(':memory:');
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    // The defaults (30 failures a minute), as the service runs; TRUST_PROXY read as from the environment.
    const { RATE_LIMIT_FAILED_AUTH, TRUST_PROXY } = loadConfig({ TRUST_PROXY: ` ${PROXY}, 192.168.10.0/24 ` });
    expect(TRUST_PROXY).toEqual([PROXY, '192.168.10.0/24']);
    proxied = await buildApp({ config: { LOG_LEVEL: 'silent', RATE_LIMIT_FAILED_AUTH, TRUST_PROXY }, store: sqliteStore(pdb, clock), clock });
    good = createClient(pdb, { role: 'local_team', organisation: 'wt', region: 'R01', name: 'WT' }, clock.now()).token;
  });
  afterAll(async () => { await proxied.close(); pdb.$client.close(); });

  const via = (bearer: string, remoteAddress: string, forwardedFor?: string) => proxied.inject({
    method: 'GET', url: '/api/v1/cases', remoteAddress,
    headers: { authorization: `Bearer ${bearer}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
  });

  it('after 40 failed authentications from one address, a valid token from it still gets 200', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 40; i++) answers.push((await via(`wrong-${i}`, '10.0.7.7')).statusCode);
    expect(answers.filter((s) => s === 401).length).toBe(30);
    expect(answers.filter((s) => s === 429).length).toBe(10);
    expect((await via(good, '10.0.7.7')).statusCode).toBe(200);
  });

  it('counts the client the trusted proxy names, so one client behind it does not stop the others', async () => {
    for (let i = 0; i < 40; i++) await via(`wrong-${i}`, PROXY, '203.0.113.5');
    expectProblem(await via('wrong', PROXY, '203.0.113.5'), 429, 'TOO_MANY_REQUESTS');
    expectProblem(await via('wrong', PROXY, '203.0.113.6'), 401, 'UNAUTHENTICATED');
    expectProblem(await via('wrong', '192.168.10.20', '203.0.113.7'), 401, 'UNAUTHENTICATED');
    expect((await via(good, PROXY, '203.0.113.5')).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For from anyone but the trusted proxy: a new name per request changes nothing', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 35; i++) answers.push((await via('wrong', '198.51.100.9', `203.0.113.${100 + i}`)).statusCode);
    expect(answers.filter((s) => s === 429).length).toBe(5);
  });

  it('refuses a TRUST_PROXY that is not a list of addresses', () => {
    for (const bad of ['load-balancer', '10.0.0.5/33', '10.0.0.5,,x', '10.0.0.5/8/8']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
    expect(loadConfig({}).TRUST_PROXY).toEqual([]);
  });
});
