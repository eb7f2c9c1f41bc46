/**
 * E-mail notices on PostgreSQL: as on SQLite (src/store/sqlite/notices.ts), the people of a
 * notice's audience and their outbox rows, inside the transaction of the step that made it.
 */
import type { PersistedReferral } from '../../../machines/referral.ts';
import type { CaseRow } from '../rows.ts';
import {
  noticesFor, noticesOfStep, type Audience, type NoticeKind, type NoticeRow, type NoticeStep, type Recipient,
} from '../../notifications/notices.ts';
import { execute, query, statement, type Conn } from './statements.ts';

const SQL = {
  ofOrganisation: statement('notice_people_of_organisation', `SELECT "id", "notices" FROM "users"
    WHERE "region" = $1 AND "organisation" = $2 AND "disabled_at" IS NULL AND "role" = ANY($3::text[]) ORDER BY "id"`),
  byIds: statement('notice_people_by_id', `SELECT "id", "notices" FROM "users"
    WHERE "region" = $1 AND "disabled_at" IS NULL AND "id" = ANY($2::text[]) ORDER BY "id"`),
  insert: statement('notice_insert', `INSERT INTO "outbox"
    ("id", "case_id", "region", "kind", "recipient", "payload", "created_at", "status", "next_attempt_at")
    VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)`),
};

/** The active people of the case's region an audience names. */
export function pgRecipients(tx: Conn, region: string, audience: Audience): Promise<Recipient[]> {
  return 'userIds' in audience
    ? query<Recipient>(tx, SQL.byIds, [region, [...audience.userIds]])
    : query<Recipient>(tx, SQL.ofOrganisation, [region, audience.organisation, [...audience.roles]]);
}

/** Queues one notice for the people of `audience`, in the transaction; the rows written. */
export async function pgEnqueueNotice(tx: Conn, kind: NoticeKind, row: Pick<CaseRow, 'id' | 'region'>,
  audience: Audience, at: string): Promise<NoticeRow[]> {
  const rows = noticesFor(kind, row, await pgRecipients(tx, row.region, audience), at);
  for (const n of rows) {
    await execute(tx, SQL.insert, [n.id, n.caseId, n.region, n.kind, n.recipient, n.payload, n.createdAt, n.nextAttemptAt]);
  }
  return rows;
}

/** The notices a step of a case makes, queued in its transaction. */
export async function pgNoticesOfStep(tx: Conn, row: Pick<CaseRow, 'id' | 'region' | 'organisation'>, step: NoticeStep,
  persisted: PersistedReferral, at: string): Promise<void> {
  for (const intent of noticesOfStep(row, step, persisted)) {
    await pgEnqueueNotice(tx, intent.kind, row, intent.audience, at);
  }
}
