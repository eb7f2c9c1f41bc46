/**
 * The audit trail's chains (DESIGN §2), the same on both stores: how a new entry is numbered,
 * hashed and chained, and how a verification walks the entries in order and pairs each entry of a
 * case with its row of the case trail. Each store reads its rows a page at a time and calls these.
 */
import { chain, GENESIS, link, sha256, storedEntryHash, type AuditFields, type Broken } from './audit-hash.ts';
import type { VerifyResult } from './audit-contract.ts';
import type { AuditEntry } from '../store/rows.ts';

export type { AuditEntry };
export type NewAuditEntry = Omit<AuditFields, 'seq' | 'caseSeq' | 'payloadHash'>;

/**
 * The core of a verification, for either store: checks `auditRows` (raw rows of audit_log in seq
 * order, after `state.seq`) against both chains, pairing each entry of a case with the next row
 * of `events` (raw case_events rows in seq order). Returns the state after the last good entry
 * and, if one is broken, where. A store reads its rows a page at a time and calls this per page.
 */
export function verifyRows(state: VerifyState, auditRows: Iterable<Record<string, unknown>>,
  events: Iterator<unknown>): { state: VerifyState; broken: Broken | null } {
  const { cases } = state;
  let previous = state.logHash;
  let expectedSeq = state.seq + 1;
  let checked = state.checked;
  let hashesPayloads = state.hashesPayloads;
  let eventSeq = state.eventSeq;
  const at = (): VerifyState => ({ seq: expectedSeq - 1, logHash: previous, eventSeq, hashesPayloads, cases, checked });
  for (const raw of auditRows) {
    const e = toEntry(raw);
    // Once entries hash their payload's hash, none may go back to the older form.
    const downgraded = hashesPayloads && e.payloadHash === null
      ? { seq: e.seq, reason: 'an entry of the older hash form after the newer' } : null;
    hashesPayloads ||= e.payloadHash !== null;
    let found = downgraded ?? check(e, expectedSeq, previous, cases);
    if (!found && e.caseId !== null) {
      const next = events.next();
      found = matchEvent(e, next);
      if (!next.done) eventSeq = (next.value as { seq: number }).seq;
    }
    if (found) return { state: at(), broken: found };
    previous = e.logHash;
    expectedSeq = e.seq + 1;
    checked += 1;
  }
  return { state: at(), broken: null };
}

/** The answer once every entry is checked: broken when the trail has an entry left over. */
export function finishVerification(state: VerifyState, eventsLeft: boolean): { result: VerifyResult; state: VerifyState | null } {
  if (eventsLeft) {
    return brokenAt(state, { seq: state.seq + 1, reason: 'the case trail has an entry the audit trail has not' });
  }
  return { result: { ok: true, checked: state.checked, head: state.logHash }, state };
}

export function brokenAt(state: VerifyState, firstBroken: Broken): { result: VerifyResult; state: null } {
  return { result: { ok: false, checked: state.checked, head: state.logHash, firstBroken }, state: null };
}

/**
 * An entry as stored: numbered after the log's last entry and its case's last entry, its payload
 * hashed, chained to both. For either store; the caller holds what keeps those heads still (the
 * write transaction on SQLite; the case's row lock and the audit lock on PostgreSQL).
 */
export function chainedEntry(entry: NewAuditEntry, log: { seq: number; logHash: string } | undefined,
  head: { caseSeq: number | null; caseHash: string | null } | undefined): AuditEntry {
  const fields: AuditFields = {
    ...entry, seq: (log?.seq ?? 0) + 1,
    caseSeq: entry.caseId === null ? null : (head?.caseSeq ?? 0) + 1,
    payloadHash: sha256(entry.payload),
  };
  return { ...fields, ...chain(fields, head?.caseHash ?? null, log?.logHash ?? GENESIS), erasedAt: null, entryHash: null } as AuditEntry;
}

/** Where a verification got to: enough to continue the chains from there. */
export interface VerifyState {
  /** The last entry verified (0 before any) and its log hash. */
  seq: number;
  logHash: string;
  /** The last case_events row paired with an entry. */
  eventSeq: number;
  hashesPayloads: boolean;
  /** Per case, its last entry's case sequence number and case hash. */
  cases: Map<string, { caseSeq: number; hash: string }>;
  checked: number;
}

export const freshVerification = (): VerifyState =>
  ({ seq: 0, logHash: GENESIS, eventSeq: 0, hashesPayloads: false, cases: new Map(), checked: 0 });

function check(
  e: AuditEntry, expectedSeq: number, previous: string,
  cases: Map<string, { caseSeq: number; hash: string }>,
): Broken | null {
  if (e.seq !== expectedSeq) return { seq: e.seq, reason: `entry ${expectedSeq} is missing` };
  const own = storedEntryHash(e);
  if ('broken' in own) return { seq: e.seq, reason: own.broken };
  const hash = own.hash;
  if (e.prevLogHash !== previous || e.logHash !== link(previous, hash)) {
    return { seq: e.seq, reason: 'does not match the log chain' };
  }
  if (e.caseId === null) return null;
  const last = cases.get(e.caseId) ?? { caseSeq: 0, hash: GENESIS };
  if (e.caseSeq !== last.caseSeq + 1 || e.prevCaseHash !== last.hash ||
    e.caseHash !== link(last.hash, hash)) {
    return { seq: e.seq, reason: 'does not match the chain of its case' };
  }
  cases.set(e.caseId, { caseSeq: e.caseSeq, hash: e.caseHash });
  return null;
}

/** The case_events row written with audit entry `e` must say the same. */
function matchEvent(e: AuditEntry, next: IteratorResult<unknown>): Broken | null {
  const row = next.done ? undefined : next.value as Record<string, unknown>;
  const same = row !== undefined && row.case_id === e.caseId && row.version === e.caseSeq &&
    row.type === e.eventType && row.at === e.at && row.state === e.toState &&
    row.payload === e.payload && row.actor_role === e.actorRole &&
    row.actor_organisation === e.actorOrganisation && row.actor_name === e.actorName &&
    row.actor_client_id === e.actorClientId;
  return same ? null : { seq: e.seq, reason: 'the case trail (case_events) differs from this audit entry' };
}

/** The columns of audit_log, as stored (snake_case) and as an entry has them. */
const COLUMNS: [keyof AuditEntry, string][] = ([
  'seq', 'at', 'action', 'caseId', 'caseSeq', 'actorRole', 'actorOrganisation', 'actorName', 'actorClientId',
  'onBehalfOf', 'eventType', 'fromState', 'toState', 'machineVersion', 'payload', 'payloadHash', 'erasedAt',
  'entryHash', 'prevCaseHash', 'caseHash', 'prevLogHash', 'logHash',
] as const).map((key) => [key, key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]);

/** A raw row (snake_case columns, either store) as an entry. */
export function toEntry(raw: Record<string, unknown>): AuditEntry {
  return Object.fromEntries(COLUMNS.map(([key, column]) => [key, raw[column]])) as AuditEntry;
}
