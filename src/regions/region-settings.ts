/**
 * A region's settings (deadline durations, bridging threshold, webhook, municipalities, retention,
 * housekeeping, the team's public contact details): what a stored row means, and how an update is checked and audited, for either
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
import { isEmail } from '../auth/people.ts';
import { isCleanText } from '../../machines/referral.text.ts';

export type { RegionRow };

/**
 * How the public reaches the region's expert team (§6.4, `/expertteams`); each part null when not
 * given. Shown to anyone, so it holds the team's own contact details, never a person's.
 */
export interface TeamContact {
  name: string | null;
  phone: string | null;
  email: string | null;
  howToRefer: string | null;
}

export const TEAM_NAME_MAX = 100;
export const HOW_TO_REFER_MAX = 1_000;
/** A phone number as people write it: digits, spaces, hyphens, brackets and a leading +; 6 to 15 digits. */
const PHONE = /^\+?[0-9][0-9 ()-]{4,23}$/;

export function isPhone(value: string): boolean {
  const digits = value.replace(/\D/g, '').length;
  return PHONE.test(value) && digits >= 6 && digits <= 15;
}

/** Why a contact value is not accepted, or null when it is (empty: remove it). */
export function contactProblem(key: keyof TeamContact, value: string): string | null {
  if (value === '') return null;
  switch (key) {
    case 'name':
      return value.trim() === value && isCleanText(value, TEAM_NAME_MAX) && value.length <= TEAM_NAME_MAX
        ? null : `one line of at most ${TEAM_NAME_MAX} characters`;
    case 'phone':
      return isPhone(value) ? null : 'a phone number: digits, spaces, hyphens, brackets and a leading +, 6 to 15 digits';
    case 'email':
      return isEmail(value) ? null : 'an e-mail address';
    case 'howToRefer':
      return isCleanText(value, HOW_TO_REFER_MAX) && value.trim() !== '' && value.length <= HOW_TO_REFER_MAX
        ? null : `at most ${HOW_TO_REFER_MAX} characters of text`;
  }
}

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
  /** How the public reaches the team (§6.4). */
  contact: TeamContact;
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
  teamName?: string | null;
  phone?: string | null;
  email?: string | null;
  howToRefer?: string | null;
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
    contact: {
      name: row?.teamName ?? null, phone: row?.phone ?? null, email: row?.email ?? null, howToRefer: row?.howToRefer ?? null,
    },
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
  const contact = { teamName: 'name', phone: 'phone', email: 'email', howToRefer: 'howToRefer' } as const;
  for (const [column, key] of Object.entries(contact)) {
    const value = update[column as keyof typeof contact];
    const problem = value === undefined || value === null ? null : contactProblem(key, value);
    if (problem !== null) throw new Error(`${key}: must be ${problem}`);
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
