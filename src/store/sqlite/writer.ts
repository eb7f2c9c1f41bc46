/**
 * The case writer on SQLite: stores what src/cases/case-writes.ts says a change writes, inside the
 * engine's transaction.
 */
import type { Db } from './client.ts';
import type { PersistedReferral, TimerChange } from '../../../machines/referral.ts';
import { auditTrail } from './audit.ts';
import { AppError } from '../../errors.ts';
import { caseRepository, type CaseRepository } from './reads.ts';
import { noticeWriter } from './notices.ts';
import type { CaseRow, NewCaseRow } from '../rows.ts';
import {
  advancedRow, entryWrites, notification, NOTES_IN_VIEW, persistedColumns, withNotes, type Applied, type Entry,
  type EntryWrites,
} from '../../cases/case-writes.ts';

/**
 * The persisted case with its latest notes (at most NOTES_IN_VIEW, oldest of them first) in its
 * record, and how many notes it has in all: the case view's cost does not grow with its notes.
 */
export function withLatestNotes(repo: Pick<CaseRepository, 'notes' | 'noteCount'>, caseId: string,
  persisted: PersistedReferral): { persisted: PersistedReferral; notesTotal: number } {
  const latest = repo.notes(caseId, NOTES_IN_VIEW).reverse().map(({ type, text, at }) => ({ type, text, at }));
  const notesTotal = latest.length < NOTES_IN_VIEW ? latest.length : repo.noteCount(caseId);
  return { persisted: withNotes(persisted, latest), notesTotal };
}

/** The SQLite writer: runs inside the engine's transaction. */
export function caseWriter(db: Db) {
  const repo = caseRepository(db);
  const audit = auditTrail(db);
  const notices = noticeWriter(db);

  function record(writes: EntryWrites): void {
    repo.appendEvent(writes.event);
    audit.append(writes.audit);
    for (const change of writes.timers) {
      if (change.kind === 'cancel') repo.cancelTimer(writes.event.caseId, change.name, writes.event.at);
      else repo.armTimer({ caseId: writes.event.caseId, name: change.name, dueAt: change.dueAt,
        event: JSON.stringify(change.event), armedAt: writes.event.at });
    }
    if (writes.notification) repo.enqueueNotification(writes.notification);
  }

  return {
    /** Stores a new case; its snapshot and report facts come from `persisted`, here only. */
    create(row: Omit<NewCaseRow, 'snapshot' | 'facts'>, persisted: PersistedReferral, timers: TimerChange[],
      entry: Entry): NewCaseRow {
      const stored: NewCaseRow = { ...row, ...persistedColumns(persisted) };
      repo.insert(stored);
      record(entryWrites(row, 1, null, row.state, entry, timers));
      return stored;
    },

    /** Stores an applied step on version + 1, only if the case is still at `row.version`. */
    advance(row: CaseRow, result: Applied, entry: Entry): CaseRow {
      const next = advancedRow(row, result, entry.at);
      if (!repo.update({ ...next, expectedVersion: row.version })) {
        throw new AppError('VERSION_MISMATCH', 'the case changed while this event was applied');
      }
      record(entryWrites(row, next.version, row.state, result.state, entry, result.timers));
      notices.ofStep(row, entry, result.persisted, entry.at);
      return next;
    },

    notify(row: Pick<CaseRow, 'id' | 'region'>, kind: 'state_changed' | 'deadline_passed', at: string,
      details: Record<string, unknown>): void {
      repo.enqueueNotification(notification(row, kind, at, details));
    },
  };
}
