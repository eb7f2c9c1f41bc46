/** The HTTP contract of the audit verification, and the type the audit trail answers it with. */
import { z } from 'zod';

export const VerifySchema = z.object({
  ok: z.boolean().describe('Whether the whole audit trail verifies (both chains, every region)'),
  scope: z.string().describe('`*`: checked and head describe the whole log; else the region whose cases they cover'),
  checked: z.int().describe('Entries that verified (of the scope)'),
  head: z.string().describe('The whole log: hash of the last entry checked. A region: hash over the last entry ' +
    'of each of its cases. Note it to detect a later truncation'),
  firstBroken: z.object({ seq: z.int(), reason: z.string() }).optional()
    .describe('The first entry that does not verify'),
}).meta({ id: 'AuditVerification' });
export type VerifyResult = Omit<z.output<typeof VerifySchema>, 'scope'>;
export type ScopedVerification = z.output<typeof VerifySchema>;
