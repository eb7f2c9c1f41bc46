/**
 * The regisseur (DESIGN §6.3): the person of the expert team who runs a case. Pure: the engines
 * look the person up in their store and hand the row to these rules, so both stores decide alike.
 *
 * - `ASSIGN { userId }` makes that person regisseur; `START_TRIAGE` makes the person who sends it
 *   regisseur (a signed-in person, not an API client), unless it names another (`regisseur`).
 * - Only an active expert-team person of the case's region can be regisseur: anyone else named is
 *   refused with 422 UNKNOWN_PERSON.
 * - A regisseur who is disabled since (or no longer of the expert team, or of the region) shows
 *   as no regisseur: the case view says `regisseur: null`, and the case is found without one.
 */
import type { ReferralEvent } from '../../machines/referral.schemas.ts';
import type { Regisseur } from '../../machines/referral.types.ts';
import { noLooseEnds } from '../../machines/referral.ts';
import { USER_ACTOR_PREFIX } from '../auth/people.ts';
import type { Actor } from '../auth/actors.ts';
import type { User } from '../store/rows.ts';

export type { Regisseur };

/** The person as a regisseur of a case of `region`, or null when they cannot be one (now). */
export function regisseurOf(user: Pick<User, 'id' | 'name' | 'role' | 'region' | 'disabledAt'> | undefined,
  region: string): Regisseur | null {
  if (!user || user.disabledAt !== null || user.role !== 'expert_team' || user.region !== region) return null;
  return { userId: user.id, name: user.name };
}

/** The person's user id when the actor is a signed-in person (an API client has none). */
export function personIdOf(actor: Pick<Actor, 'clientId'>): string | undefined {
  return actor.clientId.startsWith(USER_ACTOR_PREFIX) ? actor.clientId.slice(USER_ACTOR_PREFIX.length) : undefined;
}

/**
 * Whom this event would make regisseur, to be looked up before it is decided: the person named
 * (`named`: refused when they cannot be one), or the signed-in person starting the triage (left
 * without a regisseur when they cannot be one). Cases of 1.0.0 and 2.0.0 step by frozen charts and
 * get no regisseur by START_TRIAGE (ASSIGN is refused there with 409).
 */
export function regisseurWanted(actor: Pick<Actor, 'clientId'>, event: ReferralEvent, machineVersion: string):
  { userId: string; named: boolean } | undefined {
  if (event.type === 'ASSIGN') return { userId: event.userId, named: true };
  if (event.type !== 'START_TRIAGE' || !noLooseEnds(machineVersion)) return undefined;
  if (event.regisseur !== undefined) return { userId: event.regisseur, named: true };
  const self = personIdOf(actor);
  return self === undefined ? undefined : { userId: self, named: false };
}
