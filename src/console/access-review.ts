/**
 * The inspector's region-wide access log (NEN 7513) in the console: a page of lines, newest first,
 * filtered by person, case, action and refused. The store answers the filters exactly
 * (`AccessLog.list`); a page asks it for one line more than it shows, to know whether there is a
 * next page, which starts before the last line shown (paged by sequence number).
 */
import type { AccessAction } from '../audit/access-log.ts';
import type { AccessEntry, AccessLog } from '../store/port.ts';

export const PAGE_SIZE = 50;

export interface AccessFilter {
  /** Part of the reader's name or organisation (ASCII letters in any case), or a client's id. */
  who?: string;
  /** The ids of the case(s) asked for: lines that name any of them. */
  caseIds?: readonly string[];
  action?: AccessAction;
  refusedOnly?: boolean;
  /** Lines before this sequence number (the next page). */
  before?: number;
}

export interface AccessPage {
  lines: AccessEntry[];
  /** Where the next page starts (`before`), or null at the end of the log. */
  next: number | null;
}

/** One page of the region's access log that matches the filter. */
export async function accessPage(access: Pick<AccessLog, 'list'>, region: string, filter: AccessFilter): Promise<AccessPage> {
  const found = await access.list(region, {
    actor: filter.who, caseIds: filter.caseIds, action: filter.action,
    outcome: filter.refusedOnly ? 'refused' : undefined, beforeSeq: filter.before, limit: PAGE_SIZE + 1,
  });
  const lines = found.slice(0, PAGE_SIZE);
  return { lines, next: found.length > PAGE_SIZE ? lines.at(-1)!.seq : null };
}
