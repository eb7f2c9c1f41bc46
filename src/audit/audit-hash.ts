/**
 * How audit entries are hashed and chained. Pure and dependency-free, so that an inspector's
 * verification script (scripts/verify-trail-export.ts) uses exactly this code on an export file.
 *
 *   entryHash = SHA-256 of the canonical JSON array of the entry's fields (fixed order)
 *   caseHash  = SHA-256(prevCaseHash + entryHash)   for entries of a case, chained per case
 *   logHash   = SHA-256(prevLogHash + entryHash)    for every entry, chained over the whole log
 * The first link of each chain follows GENESIS.
 */
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);
export const HASH_ALGORITHM = 'sha256';

/** The fields an audit entry's hash covers, in this order. */
export interface AuditFields {
  seq: number;
  at: string;
  action: string;
  caseId: string | null;
  caseSeq: number | null;
  actorRole: string;
  actorOrganisation: string | null;
  actorName: string;
  actorClientId: string | null;
  onBehalfOf: string | null;
  eventType: string | null;
  fromState: string | null;
  toState: string | null;
  machineVersion: string | null;
  /** The payload as stored: a JSON text. */
  payload: string;
}

export interface Chained {
  prevCaseHash: string | null;
  caseHash: string | null;
  prevLogHash: string;
  logHash: string;
}

const sha256 = (text: string): string => createHash(HASH_ALGORITHM).update(text).digest('hex');

export function entryHash(e: AuditFields): string {
  return sha256(JSON.stringify([
    e.seq, e.at, e.action, e.caseId, e.caseSeq, e.actorRole, e.actorOrganisation, e.actorName,
    e.actorClientId, e.onBehalfOf, e.eventType, e.fromState, e.toState, e.machineVersion, e.payload,
  ]));
}

export const link = (previous: string, hash: string): string => sha256(previous + hash);

/** The hashes of a new entry, given the heads of its case's chain and of the log. */
export function chain(e: AuditFields, prevCaseHash: string | null, prevLogHash: string): Chained {
  const hash = entryHash(e);
  const inCase = e.caseId !== null;
  const previousOfCase = inCase ? (prevCaseHash ?? GENESIS) : null;
  return {
    prevCaseHash: previousOfCase,
    caseHash: previousOfCase === null ? null : link(previousOfCase, hash),
    prevLogHash,
    logHash: link(prevLogHash, hash),
  };
}

export type Broken = { seq: number; reason: string };

/**
 * Checks one case's entries, in order, on their own: each entry's hash, the case chain from
 * GENESIS, and consecutive case sequence numbers. Returns the first entry that does not verify.
 */
export function verifyCaseChain(entries: readonly (AuditFields & Chained)[]): Broken | null {
  let previous = GENESIS;
  for (const [index, e] of entries.entries()) {
    if (e.caseSeq !== index + 1) return { seq: e.seq, reason: `case entry ${index + 1} is missing or out of order` };
    if (e.prevCaseHash !== previous) return { seq: e.seq, reason: 'does not follow the previous entry of the case' };
    if (e.caseHash !== link(previous, entryHash(e))) return { seq: e.seq, reason: 'content does not match its case hash' };
    previous = e.caseHash;
  }
  return null;
}
