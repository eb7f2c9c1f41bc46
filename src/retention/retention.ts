/**
 * Retention (R14, DESIGN §5.6), the rules both stores keep: a file is kept 20 years after its last
 * change (region setting `retention`), then its content is destroyed; an erasure the law requires
 * earlier takes the same path, with its reason recorded. What a destroyed case keeps of its trail
 * is `residue`: the codes the signalering figures count, no text.
 */
import { isCalendarPeriod } from '../../machines/referral.deadlines.ts';

export const DEFAULT_RETENTION = 'P20Y';

/** A retention period: whole years, months or days, at least one year. */
export const isRetention = (value: string): boolean => isCalendarPeriod(value, 365);

export type ErasureBasis = 'retention' | 'legal_obligation';

/**
 * What a trail payload keeps once its case's content is destroyed: the codes, ids and dates the
 * signalering figures read from the trail (help item changes, escalation destinations, deadlines),
 * no text. The same function for the trail and the audit entry, so that both stay equal.
 */
export function residue(type: string | null, payload: string): string {
  const p = JSON.parse(payload) as Record<string, unknown>;
  const kept: Record<string, unknown> = { erased: true };
  switch (type) {
    case 'ISSUE_ADVICE':
      // The supply report's codes and numbers too (§6.4): kind, kind of help, waiting time, offer.
      kept.helpItems = ((p.helpItems ?? []) as Record<string, unknown>[]).map((h) => ({
        id: h.id ?? null,
        ...Object.fromEntries(['kind', 'helpKind', 'waitingWeeks', 'offerId'].filter((k) => h[k] !== undefined).map((k) => [k, h[k]])),
      }));
      break;
    case 'UPDATE_HELP_ITEM':
      Object.assign(kept, { itemId: p.itemId, status: p.status, date: p.date },
        p.notStartedBecause === undefined ? {} : { notStartedBecause: p.notStartedBecause });
      break;
    case 'ESCALATE':
      kept.to = p.to;
      break;
    case 'DEADLINE_PASSED':
      Object.assign(kept, { deadline: p.deadline, dueAt: p.dueAt });
      break;
    default:
  }
  return JSON.stringify(kept);
}
