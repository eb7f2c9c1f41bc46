/**
 * The rows of the store's tables as the rest of the service sees them, on either store: the table
 * definitions in db/ say what a row holds (both schemas are kept column for column the same by
 * test/pg/pg-schema.test.ts), and these types follow from them. Types only: importing this
 * file loads no driver.
 */
import type {
  accessLog, apiClients, auditLog, caseEvents, cases, outbox, regions, timers, users,
} from '../../db/schema.ts';

export type CaseRow = typeof cases.$inferSelect;
export type NewCaseRow = Omit<CaseRow, 'seq'>;
export type CaseEventRow = typeof caseEvents.$inferInsert;
export type StoredCaseEvent = typeof caseEvents.$inferSelect;
export type TimerRow = typeof timers.$inferSelect;
export type OutboxRow = typeof outbox.$inferInsert;
/** A notification as the outbox keeps it. */
export type OutboxEntry = typeof outbox.$inferSelect;
export type RegionRow = typeof regions.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type AccessEntry = typeof accessLog.$inferSelect;
export type User = typeof users.$inferSelect;
/** An API client as listed (never its token's hash). */
export type ClientRow = Omit<typeof apiClients.$inferSelect, 'tokenHash'>;

/** A note as a case's record holds it. */
export interface StampedNote { type: 'ADD_NOTE'; text: string; at: string }

/** Who wrote a note: its trail entry's actor, a person's or an API client's name (never a client id). */
export interface NoteAuthor { name: string; organisation: string | null }

/** A note as a page of notes lists it: with its version (its trail entry) and its author. */
export interface ListedNote extends StampedNote { version: number; by: NoteAuthor }
