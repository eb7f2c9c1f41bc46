/**
 * A region's settings (deadline durations, bridging threshold, webhook, municipalities, retention,
 * housekeeping): what a stored row means, and how an update is checked and audited, for either
 * store. Every write reads them, so a change takes effect for the next deadline armed, without a
 * restart.
 */
import {
  DEFAULT_DEADLINES, isIsoDuration, type DeadlineSettings, type ReferralEnv,
} from '../../machines/referral.deadlines.ts';
import type { NewAuditEntry } from '../audit/audit-chain.ts';
import type { Operator } from '../auth/actors.ts';
import { DEFAULT_HOUSEKEEPING, isHousekeepingPeriod } from '../housekeeping.ts';
import { DEFAULT_RETENTION, isRetention } from '../retention/retention.ts';
import type { RegionRow } from '../store/rows.ts';

export type { RegionRow };

export interface Webhook {
  url: string;
  secret: string | null;
}

export interface RegionSettings {
  env: Omit<ReferralEnv, 'now'>;
  webhook: Webhook | null;
  /** The CBS codes of the region's municipalities; null: any municipality in force. */
  municipalities: string[] | null;
  /** How long a file is kept after its last change (R14). */
  retention: string;
  /** How long settled timers and delivered notifications are kept. */
  housekeeping: string;
  /** The region's norm for a waiting time in weeks (§6.4 supply report); null: none set. */
  waitingNorm: number | null;
}

export type RegionUpdate = Partial<DeadlineSettings> & {
  bridgingThresholdWeeks?: number;
  webhookUrl?: string | null;
  webhookSecret?: string | null;
  municipalities?: string[] | null;
  retention?: string;
  housekeeping?: string;
  waitingNorm?: number | null;
};

const DEADLINE_KEYS = ['triage', 'triageUrgent', 'overleg', 'advice', 'checkpoint', 'reassessment', 'escalation'] as const;

export function toSettings(row: RegionRow | undefined): RegionSettings {
  return {
    env: {
      bridgingThresholdWeeks: row?.bridgingThresholdWeeks ?? 0,
      deadlines: {
        triage: row?.triage ?? DEFAULT_DEADLINES.triage,
        triageUrgent: row?.triageUrgent ?? DEFAULT_DEADLINES.triageUrgent,
        overleg: row?.overleg ?? DEFAULT_DEADLINES.overleg,
        advice: row?.advice ?? DEFAULT_DEADLINES.advice,
        checkpoint: row?.checkpoint ?? DEFAULT_DEADLINES.checkpoint,
        reassessment: row?.reassessment ?? DEFAULT_DEADLINES.reassessment,
        escalation: row?.escalation ?? DEFAULT_DEADLINES.escalation,
      },
    },
    webhook: row?.webhookUrl ? { url: row.webhookUrl, secret: row.webhookSecret } : null,
    municipalities: row?.municipalities ? JSON.parse(row.municipalities) as string[] : null,
    retention: row?.retention ?? DEFAULT_RETENTION,
    housekeeping: row?.housekeeping ?? DEFAULT_HOUSEKEEPING,
    waitingNorm: row?.waitingNorm ?? null,
  };
}

/** The columns an update writes, checked first (for either store): throws on an invalid value. */
export function regionValues(update: RegionUpdate, now: Date) {
  for (const key of DEADLINE_KEYS) {
    const value = update[key];
    if (value !== undefined && !isIsoDuration(value)) throw new Error(`${key}: not a valid deadline duration`);
  }
  if (update.retention !== undefined && !isRetention(update.retention)) {
    throw new Error('retention: not a duration of at least a year in years, months or days');
  }
  if (update.housekeeping !== undefined && !isHousekeepingPeriod(update.housekeeping)) {
    throw new Error('housekeeping: not a duration of at least a day in years, months or days');
  }
  if (update.waitingNorm !== undefined && update.waitingNorm !== null &&
    !(Number.isInteger(update.waitingNorm) && update.waitingNorm >= 0 && update.waitingNorm <= 520)) {
    throw new Error('waitingNorm: not a whole number of weeks from 0 to 520');
  }
  const { municipalities, ...rest } = update;
  return {
    ...rest,
    ...(municipalities === undefined ? {} : { municipalities: municipalities && JSON.stringify(municipalities) }),
    updatedAt: now.toISOString(),
  };
}

/**
 * Settings steer deadlines and where notifications go: audited like every write, the secret
 * itself left out.
 */
export function regionAudit(id: string, update: RegionUpdate, at: string, operator: Operator): NewAuditEntry {
  const { webhookSecret, ...shown } = update;
  const secret = webhookSecret === undefined ? {} : { webhookSecret: webhookSecret ? 'set' : 'removed' };
  return {
    at, action: 'region_updated', caseId: null, actorRole: operator.role,
    actorOrganisation: operator.organisation, actorName: operator.name, actorClientId: operator.clientId,
    onBehalfOf: null, eventType: null, fromState: null, toState: null, machineVersion: null,
    payload: JSON.stringify({ region: id, ...shown, ...secret }),
  };
}
