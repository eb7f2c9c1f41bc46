/**
 * Who acts: an API client or a signed-in person (an Actor), and who changes the administration
 * (an Operator). A client's bearer token is 256 random bits; only its SHA-256 is stored, so a
 * store never holds a usable token and a lookup is one indexed read.
 */
import { sha256 } from '../audit/audit-hash.ts';
import type { Role } from '../../machines/referral.schemas.ts';
import type { NewAuditEntry } from '../audit/audit-chain.ts';

export interface Actor {
  clientId: string;
  role: Role;
  organisation: string;
  /** A region id, or `*` for a national inspector. */
  region: string;
  name: string;
}

export const TOKEN_PREFIX = 'psd_';

export function hashToken(token: string): string {
  return sha256(token);
}

export interface NewClient {
  role: Role;
  organisation: string;
  region: string;
  name: string;
}

/** Who changes tokens, for the audit trail: the operator at the command line unless told otherwise. */
export interface Operator {
  role: string;
  organisation: string | null;
  name: string;
  clientId: string | null;
}

export const CLI_OPERATOR: Operator = { role: 'operator', organisation: null, name: 'cli', clientId: null };

/** An administrative change (tokens, people) as an audit entry, by whoever made it; the same on both stores. */
export function administrationEntry(operator: Operator,
  action: 'token_created' | 'token_revoked' | 'user_created' | 'user_disabled' | 'offer_registered' | 'waiting_time_reported'
    | 'user_enabled' | 'user_changed',
  at: string,
  details: Record<string, unknown>): NewAuditEntry {
  return {
    at, action, caseId: null, actorRole: operator.role, actorOrganisation: operator.organisation,
    actorName: operator.name, actorClientId: operator.clientId, onBehalfOf: null, eventType: null,
    fromState: null, toState: null, machineVersion: null, payload: JSON.stringify(details),
  };
}
