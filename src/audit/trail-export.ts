/**
 * A case's trail as one self-contained file an inspector can keep: every audit entry of the case
 * with the hashes that chain them, and how to check them. scripts/verify-trail-export.ts checks
 * such a file without the database.
 */
import { z } from 'zod';
import { GENESIS, HASH_ALGORITHM, verifyCaseChain, type Broken } from './audit-hash.ts';
import type { AuditEntry } from '../store/rows.ts';

/** Version 2 adds payloadHash (entries written since carry it); version 1 files still verify. */
export const EXPORT_FORMAT = 'passend-trail-export/2';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

export const TrailExportSchema = z.object({
  format: z.enum(['passend-trail-export/1', EXPORT_FORMAT]),
  caseId: z.uuid(),
  exportedAt: z.iso.datetime(),
  exportedBy: z.object({ role: z.string(), organisation: z.string(), name: z.string() }),
  verification: z.object({
    algorithm: z.literal(HASH_ALGORITHM),
    genesis: hash,
    description: z.string(),
  }),
  entries: z.array(z.object({
    seq: z.int(), at: z.string(), action: z.string(), caseId: z.string().nullable(),
    caseSeq: z.int().nullable(), actorRole: z.string(), actorOrganisation: z.string().nullable(),
    actorName: z.string(), actorClientId: z.string().nullable(), onBehalfOf: z.string().nullable(),
    eventType: z.string().nullable(), fromState: z.string().nullable(), toState: z.string().nullable(),
    machineVersion: z.string().nullable(),
    payload: z.string().describe('The payload exactly as stored (a JSON text)'),
    payloadHash: hash.nullable().default(null)
      .describe('SHA-256 of the payload, which the entry hash covers; null for entries older than it, whose hash covers the payload text'),
    prevCaseHash: hash.nullable(), caseHash: hash.nullable(), prevLogHash: hash, logHash: hash,
  })),
  head: hash.describe('The case hash of the last entry'),
}).meta({ id: 'TrailExport' });
export type TrailExport = z.infer<typeof TrailExportSchema>;

export const VERIFY_DESCRIPTION =
  'payloadHash = sha256(payload); entryHash = sha256(JSON.stringify([seq, at, action, caseId, caseSeq, actorRole, ' +
  'actorOrganisation, actorName, actorClientId, onBehalfOf, eventType, fromState, toState, ' +
  'machineVersion, payloadHash, "payload-sha256"])), or for an entry without payloadHash the same array ending ' +
  'in payload instead of the last two; caseHash = sha256(prevCaseHash + entryHash), the first ' +
  'prevCaseHash being the genesis; caseSeq counts 1, 2, 3 … without gaps; head is the last caseHash. ' +
  'logHash = sha256(prevLogHash + entryHash) links each entry into the whole log.';

export function trailExport(caseId: string, entries: AuditEntry[], exportedAt: string,
  exportedBy: TrailExport['exportedBy']): TrailExport {
  return {
    format: EXPORT_FORMAT,
    caseId,
    exportedAt,
    exportedBy,
    verification: { algorithm: HASH_ALGORITHM, genesis: GENESIS, description: VERIFY_DESCRIPTION },
    // What the hashes cover, nothing more (an exported case was never destroyed).
    entries: entries.map(({ erasedAt: _erased, entryHash: _kept, ...entry }) => entry),
    head: entries.at(-1)?.caseHash ?? GENESIS,
  };
}

/** Checks an export on its own: the chain of its entries, that they are all of its case, and its head. */
export function verifyExport(file: TrailExport): { ok: boolean; checked: number; firstBroken?: Broken } {
  const stranger = file.entries.find((e) => e.caseId !== file.caseId);
  if (stranger) return { ok: false, checked: 0, firstBroken: { seq: stranger.seq, reason: 'belongs to another case' } };
  const broken = verifyCaseChain(file.entries);
  if (broken) {
    return { ok: false, checked: file.entries.findIndex((e) => e.seq === broken.seq), firstBroken: broken };
  }
  const last = file.entries.at(-1);
  if ((last?.caseHash ?? GENESIS) !== file.head) {
    return { ok: false, checked: file.entries.length, firstBroken: { seq: last?.seq ?? 0, reason: 'head does not match the last entry' } };
  }
  return { ok: true, checked: file.entries.length };
}
