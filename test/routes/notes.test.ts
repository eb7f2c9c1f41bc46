/**
 * Notes live in the trail, not in the stored snapshot (issue 12): a case with many notes does not
 * read and write all of them on every event. The case view still shows every note, in order, once,
 * also for a case stored before (its snapshot still holding its notes).
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cases } from '../../db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';

let ctx: TestContext;
beforeEach(async () => { ctx = await createTestContext(); });
afterEach(async () => { await ctx.close(); });

const snapshotOf = (id: string) => ctx.db.select({ s: cases.snapshot }).from(cases).where(eq(cases.id, id)).get()!.s;

describe('notes', () => {
  it('are kept out of the stored snapshot, whose size does not grow with them, and all shown in the view', async () => {
    const id = await ctx.createCase();
    const sizes: number[] = [];
    for (let i = 1; i <= 30; i++) {
      const res = await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: `Notitie ${i}` }));
      expect(res.statusCode).toBe(200);
      expect(res.json().data.notes.map((n: { text: string }) => n.text).at(-1)).toBe(`Notitie ${i}`);
      sizes.push(snapshotOf(id).length);
    }
    expect(new Set(sizes).size).toBe(1);
    expect(JSON.parse(snapshotOf(id)).context.record.notes).toEqual([]);
    const view = (await ctx.call(ctx.localTeam, { url: `/api/v1/cases/${id}` })).json();
    expect(view.data.notes.map((n: { text: string }) => n.text)).toEqual(Array.from({ length: 30 }, (_, i) => `Notitie ${i + 1}`));
    expect(view.data.notes[0]).toEqual({ type: 'ADD_NOTE', text: 'Notitie 1', at: expect.any(String) });
  });

  it('of a case stored with its notes in the snapshot are shown once, and leave the snapshot at its next event', async () => {
    const id = await ctx.createCase();
    await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Eerste' }));
    // As stored before this change: the note in the snapshot as well as in the trail.
    const stored = JSON.parse(snapshotOf(id));
    const trail = (await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}/trail` })).json();
    stored.context.record.notes = [{ type: 'ADD_NOTE', text: 'Eerste', at: trail.entries[1].at }];
    ctx.db.update(cases).set({ snapshot: JSON.stringify(stored) }).where(eq(cases.id, id)).run();
    const before = (await ctx.call(ctx.expertTeam, { url: `/api/v1/cases/${id}` })).json();
    expect(before.data.notes.map((n: { text: string }) => n.text)).toEqual(['Eerste']);
    const after = (await ctx.send(ctx.expertTeam, id, events.ADD_NOTE({ text: 'Tweede' }))).json();
    expect(after.data.notes.map((n: { text: string }) => n.text)).toEqual(['Eerste', 'Tweede']);
    expect(JSON.parse(snapshotOf(id)).context.record.notes).toEqual([]);
  });
});
