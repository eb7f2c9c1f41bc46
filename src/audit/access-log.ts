/**
 * The NEN 7513 access log, as both stores keep it: one line per read of case data (and per read
 * of this log), with who, on whose behalf (the organisation), when, which action, which cases and
 * the stated purpose.
 */

export const ACCESS_ACTIONS = [
  'case.read', 'case.list', 'trail.read', 'trail.export', 'report.read', 'access_log.read',
  'audit.verify', 'purpose.missing', 'notifications.read',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

export interface AccessQuery {
  from?: string;
  to?: string;
  caseId?: string;
  /** Lines that name any of these cases (an empty list: none). */
  caseIds?: readonly string[];
  /**
   * The reader: part of the person's or API client's name or of their organisation, ignoring the
   * case of ASCII letters, or exactly the client's id.
   */
  actor?: string;
  action?: AccessAction;
  outcome?: 'shown' | 'refused';
  beforeSeq?: number;
  limit: number;
}
