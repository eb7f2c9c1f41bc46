/**
 * Checks a trail export (GET /api/v1/cases/{id}/trail/export) on its own, without the database:
 *   node --import tsx scripts/verify-trail-export.ts trail-<caseId>.json
 * Prints { ok, checked, firstBroken? } and exits 0 when the file verifies, 1 when it does not.
 * The hashing is src/audit/audit-hash.ts, the very code the service chains entries with.
 */
import { readFileSync } from 'node:fs';
import { TrailExportSchema, verifyExport } from '../src/audit/trail-export.ts';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx scripts/verify-trail-export.ts <export.json>\n');
  process.exit(2);
}
const parsed = TrailExportSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
if (!parsed.success) {
  process.stdout.write(`${JSON.stringify({ ok: false, checked: 0, error: 'not a passend trail export' })}\n`);
  process.exit(1);
}
const result = verifyExport(parsed.data);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(result.ok ? 0 : 1);
