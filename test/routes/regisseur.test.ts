/**
 * The regisseur through the API (DESIGN §6.3), on either store: ASSIGN only to an active
 * expert-team person of the case's region (else 422 UNKNOWN_PERSON, nothing changed), the case
 * view's `regisseur`, GET /cases?regisseur=, reassignment, a disabled person showing as no
 * regisseur, and START_TRIAGE by a signed-in person making them regisseur.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/store/rows.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import {
  apply, expectProblem, listAllIds, readCase, readTrail,
} from '../support/http.ts';
import { person, signIn } from '../console/session.ts';

let ctx: TestContext;
let anna: User;
let bram: User;
let local: User;
let elsewhere: User;

beforeAll(async () => {
  ctx = await createTestContext();
  anna = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Anna de Regisseur');
  bram = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Bram Bos');
  local = await person(ctx, 'local_team', 'wt-noord', 'R01', 'Lotte Lokaal');
  elsewhere = await person(ctx, 'expert_team', 'ret-r02', 'R02', 'Elders Expert');
});
afterAll(async () => ctx.close());

describe('ASSIGN (§6.3)', () => {
  it.each([
    ['a local-team person', () => local.id],
    ['an expert-team person of another region', () => elsewhere.id],
    ['nobody at all', () => '00000000-0000-4000-8000-00000000dead'],
  ])('to %s: 422 UNKNOWN_PERSON naming userId, and nothing changes', async (_who, id) => {
    const caseId = await ctx.caseIn('triage');
    const before = await ctx.fingerprint();
    const problem = expectProblem(await ctx.send(ctx.expertTeam, caseId, events.ASSIGN({ userId: id() })), 422, 'UNKNOWN_PERSON');
    expect(problem.invalidParams).toEqual([{ name: 'userId', reason: expect.stringContaining('expert-team') }]);
    expect(await ctx.fingerprint()).toBe(before);
  });

  it('to an expert-team person: the view carries regisseur with id and name, the trail says who and by whom', async () => {
    const id = await ctx.caseIn('planning_overleg');
    expect((await readCase(ctx, id)).regisseur).toBeNull();
    const view = await apply(ctx, ctx.expertTeam, id, events.ASSIGN({ userId: anna.id }));
    expect(view.regisseur).toEqual({ userId: anna.id, name: 'Anna de Regisseur' });
    expect(view.state).toBe('planning_overleg');
    expect(view.data.regisseur).toEqual({ userId: anna.id, name: 'Anna de Regisseur', at: view.updatedAt });
    // The local team sees who runs its case too.
    expect((await readCase(ctx, id, ctx.localTeam)).regisseur).toEqual({ userId: anna.id, name: 'Anna de Regisseur' });
    const last = (await readTrail(ctx, id)).entries.at(-1)!;
    expect(last).toMatchObject({ type: 'ASSIGN', payload: { userId: anna.id, name: 'Anna de Regisseur' },
      actor: { role: 'expert_team', organisation: 'ret-r01' } });
  });

  it('GET /cases?regisseur= lists that person\'s cases only; reassigning moves the case', async () => {
    const mine = await ctx.caseIn('triage');
    const other = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, mine, events.ASSIGN({ userId: bram.id }));
    const ofBram = await listAllIds(ctx, ctx.expertTeam, `regisseur=${bram.id}`);
    expect(ofBram).toContain(mine);
    expect(ofBram).not.toContain(other);
    // Another region's expert team does not see the region's cases, whoever runs them.
    expect(await listAllIds(ctx, ctx.otherExpertTeam, `regisseur=${bram.id}`)).toEqual([]);
    const moved = await apply(ctx, ctx.expertTeam, mine, events.ASSIGN({ userId: anna.id }));
    expect(moved.regisseur).toEqual({ userId: anna.id, name: 'Anna de Regisseur' });
    expect(await listAllIds(ctx, ctx.expertTeam, `regisseur=${bram.id}`)).not.toContain(mine);
    expect(await listAllIds(ctx, ctx.expertTeam, `regisseur=${anna.id}`)).toContain(mine);
  });

  it('a regisseur disabled since shows as none and lists nothing; a disabled person cannot be assigned; another can', async () => {
    const gone = await person(ctx, 'expert_team', 'ret-r01', 'R01', 'Vertrokken Regisseur');
    const id = await ctx.caseIn('triage');
    await apply(ctx, ctx.expertTeam, id, events.ASSIGN({ userId: gone.id }));
    expect(await ctx.app.services.people.disable(gone.id, ctx.clock.now())).toBe(true);
    expect((await readCase(ctx, id)).regisseur).toBeNull();
    expect(await listAllIds(ctx, ctx.expertTeam, `regisseur=${gone.id}`)).toEqual([]);
    expectProblem(await ctx.send(ctx.expertTeam, id, events.ASSIGN({ userId: gone.id })), 422, 'UNKNOWN_PERSON');
    // Any other event keeps the case without one (the column still names the disabled person, who is not shown).
    expect((await apply(ctx, ctx.expertTeam, id, events.ADD_NOTE())).regisseur).toBeNull();
    expect((await apply(ctx, ctx.expertTeam, id, events.ASSIGN({ userId: bram.id }))).regisseur)
      .toEqual({ userId: bram.id, name: 'Bram Bos' });
  });

  it('is the expert team\'s (403 for a local team), and refused on a closed case (409) before the person is checked', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.localTeam, id, events.ASSIGN({ userId: anna.id })), 403, 'FORBIDDEN');
    const closed = await ctx.caseIn('closed');
    expectProblem(await ctx.send(ctx.expertTeam, closed, events.ASSIGN({ userId: anna.id })), 409, 'EVENT_NOT_ALLOWED');
    expectProblem(await ctx.send(ctx.expertTeam, closed, events.ASSIGN({ userId: local.id })), 409, 'EVENT_NOT_ALLOWED');
    expectProblem(await ctx.send(ctx.expertTeam, id, { type: 'ASSIGN', userId: 'anna' }), 400, 'VALIDATION_FAILED');
  });

  it('is taken on a 2.1.0 case (the same chart) and refused on a 2.0.0 case (409, its chart is frozen)', async () => {
    const v21 = await ctx.caseIn('triage');
    const v20 = await ctx.caseIn('triage');
    await ctx.sql("UPDATE cases SET machine_version = '2.1.0' WHERE id = ?", v21);
    await ctx.sql("UPDATE cases SET machine_version = '2.0.0' WHERE id = ?", v20);
    expect((await apply(ctx, ctx.expertTeam, v21, events.ASSIGN({ userId: anna.id }))).regisseur?.userId).toBe(anna.id);
    expectProblem(await ctx.send(ctx.expertTeam, v20, events.ASSIGN({ userId: anna.id })), 409, 'EVENT_NOT_ALLOWED');
  });
});

describe('START_TRIAGE and the regisseur (§6.3)', () => {
  it('by a signed-in person (the console): they become regisseur', async () => {
    const id = await ctx.createCase();
    const browser = await signIn(ctx, anna);
    await browser.get(`/casussen/${id}`);
    const res = await browser.post(`/casussen/${id}`, { type: 'START_TRIAGE', versie: '1', regisseur: anna.id });
    expect(res.statusCode, res.body).toBe(303);
    const view = await readCase(ctx, id);
    expect(view.state).toBe('triage');
    expect(view.regisseur).toEqual({ userId: anna.id, name: 'Anna de Regisseur' });
    expect(view.data.triageStart?.regisseur).toEqual({ userId: anna.id, name: 'Anna de Regisseur' });
    expect(await listAllIds(ctx, ctx.expertTeam, `regisseur=${anna.id}`)).toContain(id);
  });

  it('by a signed-in person naming nobody (the old free-text form): they become regisseur', async () => {
    const id = await ctx.createCase();
    const browser = await signIn(ctx, bram);
    await browser.get(`/casussen/${id}`);
    expect((await browser.post(`/casussen/${id}`, { type: 'START_TRIAGE', versie: '1', coordinator: 'Bram' })).statusCode).toBe(303);
    expect((await readCase(ctx, id)).regisseur).toEqual({ userId: bram.id, name: 'Bram Bos' });
  });

  it('by an API client: no regisseur unless one is named; one named must be an active expert-team person of the region', async () => {
    const plain = await ctx.createCase();
    expect((await apply(ctx, ctx.expertTeam, plain, events.START_TRIAGE())).regisseur).toBeNull();
    const named = await ctx.createCase();
    expect((await apply(ctx, ctx.expertTeam, named, events.START_TRIAGE({ regisseur: bram.id }))).regisseur)
      .toEqual({ userId: bram.id, name: 'Bram Bos' });
    const wrong = await ctx.createCase();
    const before = await ctx.fingerprint();
    const problem = expectProblem(await ctx.send(ctx.expertTeam, wrong, events.START_TRIAGE({ regisseur: local.id })), 422, 'UNKNOWN_PERSON');
    expect(problem.invalidParams?.[0]?.name).toBe('regisseur');
    expect(await ctx.fingerprint()).toBe(before);
    // Without the free-text coordinator too: it is optional now.
    const bare = await ctx.createCase();
    expect((await apply(ctx, ctx.expertTeam, bare, { type: 'START_TRIAGE', regisseur: anna.id } as never)).regisseur?.name)
      .toBe('Anna de Regisseur');
  });
});
