/**
 * The CBS municipality list (machines/data/municipalities.json): in force on 1 January 2026 as CBS
 * counts it, every reorganisation since 2021 with its dates, and the lookups by code and by name
 * that the public page and the cases use.
 */
import { describe, expect, it } from 'vitest';
import {
  findMunicipalities, MUNICIPALITY_SOURCE, municipalitiesInForce, municipalityInForce, municipalityInForceByCode,
  municipalityName, type Municipality,
} from '../../machines/referral.municipalities.ts';
import list from '../../machines/data/municipalities.json' with { type: 'json' };

describe('the CBS list', () => {
  it('has the count CBS gives for 1 January 2026, with its source and the day it was taken', () => {
    expect(MUNICIPALITY_SOURCE.inForceOn).toBe('2026-01-01');
    expect(MUNICIPALITY_SOURCE.inForceCount).toBe(342);
    expect(municipalitiesInForce('2026-01-01')).toHaveLength(MUNICIPALITY_SOURCE.inForceCount);
    expect(MUNICIPALITY_SOURCE.sourceUrl).toMatch(/^https:\/\/www\.cbs\.nl\/.*gemeentelijke-indeling-op-1-januari-2026$/);
    expect(MUNICIPALITY_SOURCE.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The counts CBS published for the years between (352, 345, 344 after Weesp, 342).
    expect(municipalitiesInForce('2021-01-01')).toHaveLength(352);
    expect(municipalitiesInForce('2022-01-01')).toHaveLength(345);
    expect(municipalitiesInForce('2022-03-24')).toHaveLength(344);
    expect(municipalitiesInForce('2023-01-01')).toHaveLength(342);
  });

  it('keeps every code once per period, each well formed, from before until', () => {
    const seen = new Set<string>();
    for (const m of list.municipalities as Municipality[]) {
      expect(m.code).toMatch(/^GM\d{4}$/);
      expect(seen.has(m.code), m.code).toBe(false);
      seen.add(m.code);
      if (m.from && m.until) expect(m.from <= m.until).toBe(true);
    }
  });

  it('gives a merged code an until, and its successor a from: old cases keep their own year', () => {
    const beemster = list.municipalities.find((m) => m.code === 'GM0370')!;
    expect(beemster.until).toBe('2021-12-31');
    expect(municipalityInForce('GM0370', '2021-06-01')).toBe(true);
    expect(municipalityInForce('GM0370', '2026-01-01')).toBe(false);
    expect(municipalityInForce('GM0457', '2022-03-23')).toBe(true); // Weesp, until it joined Amsterdam
    expect(municipalityInForce('GM0457', '2022-03-24')).toBe(false);
    for (const [code, from] of [['GM1980', '2022-01-01'], ['GM1982', '2022-01-01'], ['GM1991', '2022-01-01'], ['GM1992', '2023-01-01']]) {
      expect(list.municipalities.find((m) => m.code === code)!.from, code).toBe(from);
    }
    expect(municipalityName('GM0370')).toBe('Beemster');
  });

  it('finds a municipality by code or by name, ignoring case, accents and punctuation', () => {
    const today = '2026-06-01';
    expect(municipalityInForceByCode('GM0153', today)?.name).toBe('Enschede');
    expect(municipalityInForceByCode('GM0370', today)).toBeUndefined();
    expect(findMunicipalities('gm 0153', today).map((m) => m.code)).toEqual(['GM0153']);
    expect(findMunicipalities('ENSCHEDE', today).map((m) => m.code)).toEqual(['GM0153']);
    expect(findMunicipalities('Den Haag', today).map((m) => m.code)).toEqual(['GM0518']);
    expect(findMunicipalities('s hertogenbosch', today).map((m) => m.code)).toEqual(['GM0796']);
    expect(findMunicipalities('Súdwest Fryslan', today).map((m) => m.name)).toEqual(['Súdwest-Fryslân']);
    // No municipality is called just Bergen: Bergen (L.), Bergen (NH.) and Bergen op Zoom all start so.
    expect(findMunicipalities('Bergen', today).map((m) => m.code).sort()).toEqual(['GM0373', 'GM0748', 'GM0893']);
    expect(findMunicipalities('bergen nh', today).map((m) => m.code)).toEqual(['GM0373']);
    expect(findMunicipalities('Beemster', today)).toEqual([]);
    expect(findMunicipalities('   ', today)).toEqual([]);
  });
});
