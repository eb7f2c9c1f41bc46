/**
 * Rate limits (issue 13): failed authentications per address and requests per client, answered
 * with 429 problem+json and Retry-After. The review sent 3,000 wrong tokens in 3 s and got 3,000
 * 401s; now the address is stopped after its limit, while other clients go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/client.ts';
import { buildApp, type App } from '../../src/app.ts';
import { createClient } from '../../src/auth/api-clients.ts';
import { ManualClock } from '../../src/clock.ts';
import { expectProblem } from '../support/http.ts';

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
    config: { LOG_LEVEL: 'silent', RATE_LIMIT_FAILED_AUTH: FAILED, RATE_LIMIT_PER_CLIENT: PER_CLIENT }, db, clock,
  });
  token = createClient(db, { role: 'local_team', organisation: 'wt', region: 'R01', name: 'WT' }, clock.now()).token;
  other = createClient(db, { role: 'local_team', organisation: 'wt2', region: 'R01', name: 'WT2' }, clock.now()).token;
});
afterAll(async () => { await app.close(); db.$client.close(); });

const list = (bearer: string, remoteAddress = '10.0.0.1') =>
  app.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${bearer}` }, remoteAddress });

describe('rate limits', () => {
  it('stop an address after its failed authentications, even with a good token then; other addresses go on', async () => {
    for (let i = 0; i < FAILED; i++) expectProblem(await list('wrong-token', '10.0.0.9'), 401, 'UNAUTHENTICATED');
    const stopped = await list('wrong-token', '10.0.0.9');
    expectProblem(stopped, 429, 'TOO_MANY_REQUESTS');
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(stopped.headers['retry-after'])).toBeLessThanOrEqual(60);
    expectProblem(await list(token, '10.0.0.9'), 429, 'TOO_MANY_REQUESTS');
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
