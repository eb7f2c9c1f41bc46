/**
 * E-mail notices on SQLite: the people of a notice's audience, and their outbox rows, inside the
 * transaction of the step that made the notice (the decisions: src/notifications/notices.ts).
 */
import type { Db } from './client.ts';
import type { PersistedReferral } from '../../../machines/referral.ts';
import type { CaseRow } from '../rows.ts';
import {
  noticesFor, noticesOfStep, type Audience, type NoticeKind, type NoticeRow, type NoticeStep, type Recipient,
} from '../../notifications/notices.ts';

export function noticeWriter(db: Db) {
  const sqlite = db.$client;
  const ofOrganisation = sqlite.prepare(`SELECT "id", "notices" FROM "users"
    WHERE "region" = ? AND "organisation" = ? AND "disabled_at" IS NULL
      AND "role" IN (SELECT value FROM json_each(?)) ORDER BY "id"`);
  const byIds = sqlite.prepare(`SELECT "id", "notices" FROM "users"
    WHERE "region" = ? AND "disabled_at" IS NULL AND "id" IN (SELECT value FROM json_each(?)) ORDER BY "id"`);
  const insert = sqlite.prepare(`INSERT INTO "outbox"
    ("id", "case_id", "region", "kind", "recipient", "payload", "created_at", "status", "next_attempt_at")
    VALUES (@id, @caseId, @region, @kind, @recipient, @payload, @createdAt, 'pending', @nextAttemptAt)`);

  /** The active people of the case's region an audience names. */
  function recipients(region: string, audience: Audience): Recipient[] {
    return ('userIds' in audience
      ? byIds.all(region, JSON.stringify(audience.userIds))
      : ofOrganisation.all(region, audience.organisation, JSON.stringify(audience.roles))) as Recipient[];
  }

  /** Queues one notice for the people of `audience`; the rows written. */
  function enqueue(kind: NoticeKind, row: Pick<CaseRow, 'id' | 'region'>, audience: Audience, at: string): NoticeRow[] {
    const rows = noticesFor(kind, row, recipients(row.region, audience), at);
    for (const notice of rows) insert.run(notice);
    return rows;
  }

  return {
    recipients,
    enqueue,
    /** The notices a step of a case makes, queued. */
    ofStep(row: Pick<CaseRow, 'id' | 'region' | 'organisation'>, step: NoticeStep, persisted: PersistedReferral, at: string): void {
      for (const intent of noticesOfStep(row, step, persisted)) enqueue(intent.kind, row, intent.audience, at);
    },
  };
}
