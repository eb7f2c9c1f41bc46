/**
 * Which expert team serves which municipality (DESIGN §6.4, findable): a region serves the
 * municipalities of its list (`region set --municipalities`), and the public reaches its team by
 * the contact details of `region set --name --phone --email --how-to-refer`. Pure: the regions are
 * read by the caller (Regions.list), the municipalities are the CBS list in force on the day asked.
 *
 * A region without a municipality list accepts cases from any municipality, but does not claim
 * any in public: only a listed municipality names a team. Should two regions list the same
 * municipality, the first by id serves it (and the page shows one team, never two).
 */
import {
  municipalitiesInForce, municipalityInForceByCode, type Municipality,
} from '../../machines/referral.municipalities.ts';
import type { RegionSettings, TeamContact } from '../regions/region-settings.ts';

export interface PublicTeam extends TeamContact {
  /** The region whose expert team this is. */
  region: string;
}

export interface MunicipalityTeam {
  code: string;
  name: string;
  /** Its region's expert team; null when no region lists the municipality. */
  team: PublicTeam | null;
}

type RegionEntry = { id: string; settings: RegionSettings };

/** municipality code → the region serving it: the first region by id that lists it. */
function servingRegions(regions: readonly RegionEntry[]): Map<string, RegionEntry> {
  const serving = new Map<string, RegionEntry>();
  for (const region of [...regions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    for (const code of region.settings.municipalities ?? []) {
      if (!serving.has(code)) serving.set(code, region);
    }
  }
  return serving;
}

const entryOf = (m: Municipality, region: RegionEntry | undefined): MunicipalityTeam => ({
  code: m.code, name: m.name,
  team: region ? { region: region.id, ...region.settings.contact } : null,
});

/** Every municipality in force on the Amsterdam day of `at`, by name, with its team. */
export function expertTeams(regions: readonly RegionEntry[], at: Date): MunicipalityTeam[] {
  const serving = servingRegions(regions);
  return municipalitiesInForce(at)
    .sort((a, b) => a.name.localeCompare(b.name, 'nl'))
    .map((m) => entryOf(m, serving.get(m.code)));
}

/** One municipality in force on the Amsterdam day of `at`, with its team; undefined when not in force. */
export function expertTeamOf(regions: readonly RegionEntry[], code: string, at: Date): MunicipalityTeam | undefined {
  const municipality = municipalityInForceByCode(code, at);
  return municipality && entryOf(municipality, servingRegions(regions).get(code));
}
