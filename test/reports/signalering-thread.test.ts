/**
 * On a database file the signalering statements run in a thread of their own, on a read-only
 * connection (issue 12): the same figures as in the service's own thread, for every scope.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../audit/support.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { buildSignaleringData } from './signalering-data.ts';

const tmp = tempDir('passend-report-thread-');
let onFile: TestContext;
let inMemory: TestContext;
beforeAll(async () => {
  // One after the other: the fixtures' dates follow the context created last.
  onFile = await createTestContext({ path: join(tmp.dir, 'passend.db') });
  await buildSignaleringData(onFile);
  inMemory = await createTestContext();
  await buildSignaleringData(inMemory);
});
afterAll(async () => { await onFile.close(); await inMemory.close(); tmp.remove(); });

const report = async (ctx: TestContext, who: (ctx: TestContext) => Caller, accept = 'application/json') => {
  const res = await ctx.call(who(ctx), {
    method: 'GET', url: '/api/v1/reports/signalering?from=2026-01-01&to=2026-06-30', headers: { accept },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.body.replace(/"generatedAt":"[^"]+"/, '');
};

describe('the signalering report on a database file', () => {
  it('gives the figures the in-thread statements give, for a region, another region and all regions', async () => {
    for (const who of [(c: TestContext) => c.expertTeam, (c: TestContext) => c.otherExpertTeam,
      (c: TestContext) => c.nationalInspector]) {
      const fromThread = await report(onFile, who);
      expect(fromThread).toContain('"submitted"');
      expect(fromThread).toBe(await report(inMemory, who));
    }
    expect(await report(onFile, (c) => c.expertTeam, 'text/csv')).toBe(await report(inMemory, (c) => c.expertTeam, 'text/csv'));
  });
});
