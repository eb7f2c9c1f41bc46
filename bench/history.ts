/**
 * Phase (i): does an event cost more on a long case? One engine event (ADD_NOTE through
 * caseEngine.applyEvent, synchronous=OFF so the disk is out of it) on cases with 10 and with 1,000
 * trail entries, in turns, on a temporary database file. Issue 12 asks `eventUsAt1000` to stay
 * within 1.5× of `eventUsAt10`. The stored snapshot holds no notes (they are in the trail) and the
 * case view carries the latest 50 of them, read newest first through a partial index; what still
 * grows is counting them (notesTotal), an index-only count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/sqlite/client.ts';
import { createClient } from '../src/store/sqlite/clients.ts';
import { caseEngine } from '../src/store/sqlite/engine.ts';
import { ManualClock } from '../src/clock.ts';
import { percentile } from './stats.ts';

const NOTE = { type: 'ADD_NOTE', text: 'Gesprek met de school gehad over de terugkeer na de vakantie; volgende week verder.' };
/** A submission the benches use (also bench/pg.ts). */
export const SUBMISSION = {
  referrer: { kind: 'professional', organisation: 'Wijkteam Noord' },
  subject: { reference: 'BENCH-1', birthYear: 2012, municipalityCode: 'GM0363' },
  consent: { youth: 'given', parents: 'given' },
  requestForHelp: { summary: 'Vastgelopen casus voor de bench.' },
  problemAreas: ['education'], triedSoFar: 'Schoolmaatschappelijk werk en ambulante hulp.',
  school: { status: 'attending' }, urgency: 'regular', safetyConcern: false,
};

export interface HistoryCost {
  eventUsAt10: number;
  eventUsAt1000: number;
  /** eventUsAt1000 / eventUsAt10: 1 means the cost does not grow with the case's length. */
  growth: number;
}

export function benchHistory(parentDir = tmpdir(), rounds = 400): HistoryCost {
  const dir = mkdtempSync(join(parentDir, 'passend-history-'));
  const db = openDatabase(join(dir, 'history.db'), { synchronous: 'OFF' });
  try {
    const clock = new ManualClock('2026-03-02T09:00:00Z');
    const engine = caseEngine(db, clock);
    const client = (role: 'local_team' | 'expert_team') =>
      createClient(db, { role, organisation: `o-${role}`, region: 'R01', name: role }, clock.now()).actor;
    const local = client('local_team');
    const expert = client('expert_team');
    const caseWith = (entries: number): string => {
      const { id } = engine.submit(local, SUBMISSION);
      for (let i = 1; i < entries; i++) engine.applyEvent(expert, { caseId: id, body: NOTE });
      return id;
    };
    const short = caseWith(10);
    const long = caseWith(1_000);
    const times: Record<'short' | 'long', number[]> = { short: [], long: [] };
    const time = (which: 'short' | 'long', id: string) => {
      const start = process.hrtime.bigint();
      engine.applyEvent(expert, { caseId: id, body: NOTE });
      times[which].push(Number(process.hrtime.bigint() - start) / 1000);
    };
    for (let i = 0; i < 50; i++) { time('short', short); time('long', long); }
    times.short = [];
    times.long = [];
    // The short case stays short: a fresh one every 10 events.
    let current = short;
    for (let i = 0; i < rounds; i++) {
      if (i % 10 === 0) current = caseWith(10);
      time('short', current);
      time('long', long);
    }
    const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    const at10 = median(times.short);
    const at1000 = median(times.long);
    return { eventUsAt10: Math.round(at10), eventUsAt1000: Math.round(at1000), growth: Math.round((at1000 / at10) * 100) / 100 };
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
