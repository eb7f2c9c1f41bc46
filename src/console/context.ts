/**
 * What the console's pages are handed (console.ts builds it): the services, the clock, the
 * signed-in person and the console's own helpers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../machines/referral.schemas.ts';
import type { Actor } from '../auth/actors.ts';
import type { Session } from '../auth/people.ts';
import type { Clock } from '../clock.ts';
import type { Services } from '../services.ts';
import type { PageUser } from './page.ts';

/** The signed-in person of a console request. */
export interface Person {
  sessionId: string;
  session: Session;
  actor: Actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    person: Person | null;
  }
}

/** Thrown to answer 303 See Other (after a post, or to the sign-in page). */
export class SeeOther extends Error {
  constructor(readonly location: string) { super(location); }
}

/** What the pages use: the services, the clock and the console's own helpers. */
export interface ConsoleContext extends Pick<Services, 'engine' | 'queries' | 'access' | 'audit' | 'verifier' |
  'signalering' | 'regions' | 'people' | 'clients' | 'sessions' | 'offerRegister' | 'supply' | 'mailer'> {
  clock: Clock;
  /** The name people use for an organisation id (the register's), or the id where it has none. */
  orgName(id: string): string;
  /** The signed-in person with one of these roles: else to the sign-in page, or 403. */
  person(request: FastifyRequest, roles?: readonly Role[]): Person;
  pageUser(person: Person): PageUser;
  /** What links are built from: PUBLIC_URL, else http://HOST:PORT; never the request's Host header. */
  baseOf(request: FastifyRequest): string;
  /** Sends a page: HTML, no-store. */
  send(reply: FastifyReply, html: string, status?: number): FastifyReply;
}
