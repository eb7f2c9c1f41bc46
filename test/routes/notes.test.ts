/**
 * Notes live in the trail, not in the stored snapshot (issue 12): a case with many notes does not
 * read and write all of them on every event. The case view shows the latest 50 notes, in order,
 * once, also for a case stored before (its snapshot still holding its notes), and how many there
 * are; GET /cases/{id}/notes pages through all of them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';

let ctx: TestContext;
beforeEach(async () => { ctx = await createTestContext(); });
afterEach(async () => { await ctx.close(); });

const snapshotOf = async (id: string) => (await ctx.sql('SELECT snapshot FROM cases WHERE id = ?', id))[0]!.snapshot as string;

describe('notes', () => {
  it('are kept out of the stored snapshot, whose size does not grow with them, and all shown in the view', async () => {
    const id = await ctx.createCase();
    const sizes: number[] = [];
    for (let i = 1; i <= 30; i++) {
      const res = await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: `Notitie ${i}` }));
      expect(res.statusCode).toBe(200);
      expect(res.json().data.notes.map((n: { text: string }) => n.text).at(-1)).toBe(`Notitie ${i}`);
      sizes.push((await snapshotOf(id)).length);
    }
    expect(new Set(sizes).size).toBe(1);
    expect(JSON.parse((await snapshotOf(id))).context.record.notes).toEqual([]);
    const view = (await ctx.call(ctx.localTeam, { url: `/api/v1/cases/${id}` })).json();
    expect(view.data.notes.map((n: { text: string }) => n.text)).toEqual(Array.from({ length: 30 }, (_, i) => `Notitie ${i + 1}`));
    expect(view.data.notes[0]).toEqual({ type: 'ADD_NOTE', text: 'Notitie 1', at: expect.any(String) });
  });

  it('of a case stored with its notes in the snapshot are shown once, and leave the snapshot at its next event', async () => {
    const id = await ctx.createCase();
    await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Eerste' }));
    // As stored before this change: the note in the snapshot as well as in the trail.
    const stored = JSON.parse((await snapshotOf(id)));
    const trail = (await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/trail` })).json();
    stored.context.record.notes = [{ type: 'ADD_NOTE', text: 'Eerste', at: trail.entries[1].at }];
    await ctx.sql('UPDATE cases SET snapshot = ? WHERE id = ?', JSON.stringify(stored), id);
    const before = (await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}` })).json();
    expect(before.data.notes.map((n: { text: string }) => n.text)).toEqual(['Eerste']);
    const after = (await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Tweede' }))).json();
    expect(after.data.notes.map((n: { text: string }) => n.text)).toEqual(['Eerste', 'Tweede']);
    expect(JSON.parse((await snapshotOf(id))).context.record.notes).toEqual([]);
  });

  it('in the view are the latest 50 with the total; GET /cases/{id}/notes pages through all, newest first', async () => {
    const id = await ctx.createCase();
    for (let i = 1; i <= 60; i++) {
      expect((await ctx.send(ctx.localTeam, id, events.ADD_NOTE({ text: `Notitie ${i}` }))).statusCode).toBe(200);
    }
    const view = (await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}` })).json();
    expect(view.notesTotal).toBe(60);
    expect(view.data.notes.map((n: { text: string }) => n.text))
      .toEqual(Array.from({ length: 50 }, (_, i) => `Notitie ${i + 11}`));
    const answer = (await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Notitie 61' }))).json();
    expect(answer.notesTotal).toBe(61);
    expect(answer.data.notes).toHaveLength(50);
    expect(answer.data.notes.at(-1).text).toBe('Notitie 61');

    const texts: string[] = [];
    const versions: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await ctx.call(ctx.localTeam,
        { url: `/api/v1/cases/${id}/notes?limit=25${cursor ? `&cursor=${cursor}` : ''}` });
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.total).toBe(61);
      texts.push(...page.items.map((n: { text: string }) => n.text));
      versions.push(...page.items.map((n: { version: number }) => n.version));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(texts).toEqual(Array.from({ length: 61 }, (_, i) => `Notitie ${61 - i}`));
    // The version is the note's trail entry: the submission is version 1.
    expect(versions).toEqual(Array.from({ length: 61 }, (_, i) => 62 - i));
  });

  it('name their author (name and organisation, never a client id) to the local team too', async () => {
    const id = await ctx.createCase();
    await ctx.send(ctx.localTeam, id, events.ADD_NOTE({ text: 'Van het wijkteam' }));
    await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Van het expertteam' }));
    for (const reader of [ctx.localTeam, ctx.expertTeam]) {
      const res = await ctx.call(reader, { url: `/api/v1/cases/${id}/notes` });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((n: { text: string; by: unknown }) => [n.text, n.by])).toEqual([
        ['Van het expertteam', { name: 'expert_team ret-r01', organisation: 'ret-r01' }],
        ['Van het wijkteam', { name: 'local_team wt-noord', organisation: 'wt-noord' }],
      ]);
      expect(res.body).not.toMatch(/clientId|"c-/);
    }
  });

  it('pages: a case without notes, a foreign cursor, and a case the caller may not see', async () => {
    const id = await ctx.createCase();
    const empty = await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/notes` });
    expect(empty.json()).toEqual({ items: [], total: 0, nextCursor: null });
    expect((await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}` })).json().notesTotal).toBe(0);
    // A cursor of the case list is not one of the notes.
    const listCursor = Buffer.from('s5').toString('base64url');
    const foreign = await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/notes?cursor=${listCursor}` });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().invalidParams[0].name).toBe('cursor');
    expect((await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/notes?limit=0` })).statusCode).toBe(400);
    expect((await ctx.call(ctx.otherLocalTeam, { url: `/api/v1/cases/${id}/notes` })).statusCode).toBe(404);
    expect((await ctx.call(ctx.admin, { url: `/api/v1/cases/${id}/notes` })).statusCode).toBe(403);
  });
});
