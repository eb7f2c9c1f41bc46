/**
 * People who sign in to the console (DESIGN §5.4), the rules both stores keep. A signed-in person
 * acts as an Actor like an API client does, with their own name and with `clientId` set to
 * `user:<their id>`, so that the trail, the audit log and the access log name the person and the
 * organisation they act for (NEN 7513), in the columns they already have.
 */
import type { Role } from '../../machines/referral.schemas.ts';
import type { User } from '../store/rows.ts';
import type { Actor } from './actors.ts';

export type { User };

export interface NewUser {
  role: Role;
  organisation: string;
  region: string;
  name: string;
  email: string;
}

/** What Beheer changes of a person (§6.3): their role, their organisation. */
export interface PersonChange { role?: Role; organisation?: string }

/** How long a sign-in link may be used (DESIGN §5.4). */
export const SIGN_IN_LINK_MINUTES = 15;
export const USER_ACTOR_PREFIX = 'user:';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
export const isEmail = (email: string): boolean => EMAIL.test(normaliseEmail(email)) && email.length <= 254;

/** The Actor a signed-in person acts as. */
export function personActor(user: Pick<User, 'id' | 'role' | 'organisation' | 'region' | 'name'>): Actor {
  return {
    clientId: `${USER_ACTOR_PREFIX}${user.id}`, role: user.role, organisation: user.organisation,
    region: user.region, name: user.name,
  };
}

export class DuplicateEmail extends Error {
  constructor() { super('a user with that email exists'); }
}

export interface Session {
  user: User;
  csrf: string;
  purpose: string | null;
}
