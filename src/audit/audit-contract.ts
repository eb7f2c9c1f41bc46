/** The HTTP contract of the audit verification, and the type the audit trail answers it with. */
import { z } from 'zod';

export const VerifySchema = z.object({
  ok: z.boolean(),
  checked: z.int().describe('Entries that verified'),
  head: z.string().describe('Hash of the last entry checked: note it to detect a later truncation'),
  firstBroken: z.object({ seq: z.int(), reason: z.string() }).optional()
    .describe('The first entry that does not verify'),
}).meta({ id: 'AuditVerification' });
export type VerifyResult = z.output<typeof VerifySchema>;
