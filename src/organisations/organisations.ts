/**
 * The names of organisations (issue 24): people and API clients act for an organisation known by
 * a short id (`wt-noord`), which is what the trail and the access log keep. The register gives
 * each id the name people use ("Wijkteam Noord"), so that pages show names instead of ids. An id
 * without a name still shows as itself. Names are set with the command line (audited, as region
 * settings are); the rules both stores keep are here.
 */
import type { Operator } from '../auth/actors.ts';
import type { NewAuditEntry } from '../audit/audit-chain.ts';

/** An organisation's id as people and clients carry it. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_NAME = 120;

export class InvalidOrganisation extends Error {}

/** The id and name checked and tidied: throws InvalidOrganisation with a plain reason. */
export function checkedOrganisation(id: string, name: string): { id: string; name: string } {
  const cleanId = id.trim();
  if (!ID.test(cleanId)) throw new InvalidOrganisation('an organisation id is 1–64 letters, digits, ".", "_", ":" or "-"');
  const cleanName = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (cleanName === '' || cleanName.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(cleanName)) {
    throw new InvalidOrganisation(`an organisation's name is 1–${MAX_NAME} characters of text`);
  }
  return { id: cleanId, name: cleanName };
}

/** The audit entry of a name set or changed. */
export function organisationAudit(id: string, name: string, at: string, operator: Operator): NewAuditEntry {
  return {
    at, action: 'organisation_updated', caseId: null, actorRole: operator.role,
    actorOrganisation: operator.organisation, actorName: operator.name, actorClientId: operator.clientId,
    onBehalfOf: null, eventType: null, fromState: null, toState: null, machineVersion: null,
    payload: JSON.stringify({ organisation: id, name }),
  };
}

/** A lookup that gives an organisation's name, or its id where it has none. */
export type OrganisationName = (id: string) => string;

export const nameFrom = (names: ReadonlyMap<string, string>): OrganisationName => (id) => names.get(id) ?? id;
