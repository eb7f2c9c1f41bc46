/**
 * Fills `cases.facts` where a migration left it NULL (when the column came, or when the facts'
 * shape changed): each case's facts from its stored snapshot, in transactions of a thousand cases.
 * Run by openDatabase after the migrations, so a report never meets a case without facts. Once
 * done, the partial index `cases_facts_missing` is empty and this costs one index probe.
 */
import type Database from 'better-sqlite3';
import { reportFacts } from '../../../machines/referral.facts.ts';
import { recordOf, type PersistedReferral } from '../../../machines/referral.ts';

const BATCH = 1_000;

/** Returns how many cases it filled. */
export function backfillReportFacts(sqlite: Database.Database): number {
  const missing = sqlite.prepare('SELECT seq, snapshot FROM cases WHERE facts IS NULL LIMIT ?');
  const write = sqlite.prepare('UPDATE cases SET facts = ? WHERE seq = ?');
  const batch = sqlite.transaction((): number => {
    const rows = missing.all(BATCH) as { seq: number; snapshot: string }[];
    for (const row of rows) {
      const facts = reportFacts(recordOf(JSON.parse(row.snapshot) as PersistedReferral));
      write.run(JSON.stringify(facts), row.seq);
    }
    return rows.length;
  });
  let filled = 0;
  for (let n = batch.immediate(); n > 0; n = batch.immediate()) filled += n;
  return filled;
}
