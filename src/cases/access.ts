/**
 * Who sees which case (DESIGN §1, §3): a local team its own organisation's cases, an expert team
 * its region's, an inspector its region's or (region `*`) all, an admin, a municipality and a provider (§6.4) none.
 */
import type { Actor } from '../auth/actors.ts';

export interface CaseOwner {
  region: string;
  organisation: string;
}

export type CaseScope =
  | { kind: 'organisation'; organisation: string; region: string }
  | { kind: 'region'; region: string }
  | { kind: 'all' }
  | { kind: 'none' };

export function caseScope(actor: Actor): CaseScope {
  switch (actor.role) {
    case 'local_team':
      // Organisation ids are names given at the command line: only unique within a region.
      return { kind: 'organisation', organisation: actor.organisation, region: actor.region };
    case 'expert_team':
      return { kind: 'region', region: actor.region };
    case 'inspector':
      return actor.region === '*' ? { kind: 'all' } : { kind: 'region', region: actor.region };
    case 'admin':
    case 'municipality':
    case 'provider':
      // A municipality reads suppressed figures of its own municipality, a provider reports its
      // offers' waiting times: neither reads a case (§6.4).
      return { kind: 'none' };
  }
}

export function canSee(actor: Actor, owner: CaseOwner): boolean {
  const scope = caseScope(actor);
  switch (scope.kind) {
    case 'organisation':
      return owner.organisation === scope.organisation && owner.region === scope.region;
    case 'region':
      return owner.region === scope.region;
    case 'all':
      return true;
    case 'none':
      return false;
  }
}
