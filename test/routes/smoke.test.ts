import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';

describe('the test app', () => {
  let ctx: TestContext;
  beforeAll(async () => { ctx = await createTestContext(); });
  afterAll(async () => { await ctx.close(); });

  it('takes a case from submission to follow-up', async () => {
    const id = await ctx.caseIn('follow_up');
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: `/api/v1/cases/${id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, state: 'follow_up', version: 6 });
    expect(res.headers.etag).toBe('"6"');
  });
});
