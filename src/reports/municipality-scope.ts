/**
 * The municipality's view of the region's figures (DESIGN §6.4): role `municipality`, its
 * organisation a CBS code (`GM` + 4 digits). It reads the figures of its own municipality in its
 * own region, always as published (small counts suppressed, src/reports/suppression.ts), whatever
 * its query asks, and never a case (src/cases/case-routes.ts refuses it). Every report that a
 * municipality may read (the signalering report; the supply report) takes its scope from here.
 */
import { MUNICIPALITY_CODE } from '../../machines/referral.municipalities.ts';
import type { Actor } from '../auth/actors.ts';
import { AppError } from '../errors.ts';
import type { ReportScope } from './signalering-raw.ts';

export type MunicipalityScope = Extract<ReportScope, { kind: 'municipality' }>;

/** Whether this caller reads figures only as published (small counts suppressed). */
export function readsSuppressed(actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'municipality';
}

/**
 * A municipality's scope: the cases of its own municipality in its own region. `region`, when the
 * query names one, must be its own (else 403, as for every regional reader).
 */
export function municipalityScope(actor: Actor, region?: string): MunicipalityScope {
  if (actor.role !== 'municipality') throw new AppError('FORBIDDEN', `a ${actor.role} has no municipality scope`);
  if (!MUNICIPALITY_CODE.test(actor.organisation) || actor.region === '*') {
    // Refused when the token or person is made (src/cli.ts roleAndPlace); a stored one is never widened.
    throw new AppError('FORBIDDEN', 'a municipality is a CBS code (GM + 4 digits) in one region');
  }
  if (region !== undefined && region !== actor.region) {
    throw new AppError('FORBIDDEN', 'the report covers only the caller\'s own municipality');
  }
  return { kind: 'municipality', region: actor.region, municipality: actor.organisation };
}
