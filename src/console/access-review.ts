/**
 * The inspector's region-wide access log (NEN 7513) in the console: a page of lines, newest first,
 * filtered by person, case, action and refused. The store's query filters by case and pages by
 * sequence number; the other filters are applied here, over batches of what it returns, so that no
 * store query is added. A page scans at most `SCAN_LIMIT` lines; when that budget runs out before
 * the page is full, the page says so and offers to search on from where it stopped.
 */
import type { AccessEntry, AccessLog } from '../store/port.ts';

export const PAGE_SIZE = 50;
const BATCH = 200;
export const SCAN_LIMIT = 2000;

export interface AccessFilter {
  /** Part of the reader's name or organisation, case-insensitive. */
  who?: string;
  /** The ids of the case(s) asked for; one is passed to the store, several are filtered here. */
  caseIds?: readonly string[];
  action?: string;
  refusedOnly?: boolean;
  /** Lines before this sequence number (the next page). */
  before?: number;
}

export interface AccessPage {
  lines: AccessEntry[];
  /** Where the next page starts (`before`), or null at the end of the log. */
  next: number | null;
  /** True when the scan budget ran out before the page was full. */
  scanStopped: boolean;
}

export function matches(entry: AccessEntry, filter: AccessFilter): boolean {
  if (filter.action && entry.action !== filter.action) return false;
  if (filter.refusedOnly && entry.outcome !== 'refused') return false;
  if (filter.who) {
    const needle = filter.who.toLocaleLowerCase('nl');
    if (!`${entry.actorName} ${entry.actorOrganisation}`.toLocaleLowerCase('nl').includes(needle)) return false;
  }
  if (filter.caseIds && filter.caseIds.length > 1) {
    const ids = JSON.parse(entry.caseIds) as string[];
    if (!ids.some((id) => filter.caseIds!.includes(id))) return false;
  }
  return true;
}

/** One page of the region's access log that matches the filter. */
export async function accessPage(access: Pick<AccessLog, 'list'>, region: string, filter: AccessFilter): Promise<AccessPage> {
  const lines: AccessEntry[] = [];
  const caseId = filter.caseIds?.length === 1 ? filter.caseIds[0] : undefined;
  let before = filter.before;
  let scanned = 0;
  while (scanned < SCAN_LIMIT) {
    const batch = await access.list(region, { caseId, beforeSeq: before, limit: BATCH });
    for (const entry of batch) {
      scanned += 1;
      before = entry.seq;
      if (!matches(entry, filter)) continue;
      lines.push(entry);
      if (lines.length === PAGE_SIZE) return { lines, next: entry.seq, scanStopped: false };
    }
    if (batch.length < BATCH) return { lines, next: null, scanStopped: false };
  }
  return { lines, next: before ?? null, scanStopped: true };
}
