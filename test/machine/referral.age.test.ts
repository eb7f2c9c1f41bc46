/**
 * Ages as sets and consent for every possible age (DESIGN §5.1, DOMAIN R9): pure, no database.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  agesInRange, consentPartiesAt, consentPartiesFor, possibleAges,
} from '../../machines/referral.age.ts';
import { consentHolds, currentConsent } from '../../machines/referral.rules.ts';
import { parsedSubmission } from '../support/fixtures.ts';

const DEC_3 = '2026-12-03T10:00:00Z';

describe('possibleAges', () => {
  it('with a birth year, is the set of ages of every date of that year, on every day of 2024–2026', () => {
    const DAY = 86_400_000;
    for (const year of [2005, 2008, 2012]) {
      const births: [number, number][] = [];
      for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += DAY) {
        const b = new Date(t);
        births.push([b.getUTCMonth() + 1, b.getUTCDate()]);
      }
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2027, 0, 1); t += DAY) {
        const d = new Date(t);
        const [m, day] = [d.getUTCMonth() + 1, d.getUTCDate()];
        const ages = new Set(births.map(([bm, bd]) => d.getUTCFullYear() - year - (bm > m || (bm === m && bd > day) ? 1 : 0)));
        // Noon UTC is the same calendar day in Amsterdam.
        const iso = `${d.toISOString().slice(0, 10)}T12:00:00Z`;
        expect(possibleAges({ birthYear: year }, iso), `${year} on ${iso}`).toEqual([...ages].sort((a, b) => a - b));
      }
    }
  });

  it('gives the issue\'s examples on 3 December 2026', () => {
    expect(possibleAges({ birthMonth: '2010-11' }, DEC_3)).toEqual([16]);
    expect(possibleAges({ birthYear: 2010 }, DEC_3)).toEqual([15, 16]);
    expect(possibleAges({ birthMonth: '2010-12' }, DEC_3)).toEqual([15, 16]);
    expect(possibleAges({ birthMonth: '2011-01' }, DEC_3)).toEqual([15]);
  });

  it('knows every birthday of the month has come on its last day, in Amsterdam', () => {
    expect(possibleAges({ birthMonth: '2010-12' }, '2026-12-31T22:59:00Z')).toEqual([16]); // 23:59 on the 31st
    expect(possibleAges({ birthMonth: '2010-12' }, '2026-12-30T22:59:00Z')).toEqual([15, 16]);
    expect(possibleAges({ birthYear: 2010 }, '2026-12-31T23:30:00Z')).toEqual([16, 17]); // 1 January 2027
    expect(possibleAges({ birthMonth: '2012-02' }, '2027-02-28T12:00:00Z')).toEqual([14, 15]); // 29 Feb 2012 not yet
    expect(possibleAges({ birthMonth: '2013-02' }, '2027-02-28T12:00:00Z')).toEqual([14]);
  });

  it('property: the true age of every birthday in the month or year is among the possible ages', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('1990-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
      fc.date({ min: new Date('2020-01-01'), max: new Date('2040-12-31'), noInvalidDate: true }),
      (born, at) => {
        const birth = DateTime.fromJSDate(born, { zone: 'Europe/Amsterdam' }).startOf('day');
        const day = DateTime.fromJSDate(at, { zone: 'Europe/Amsterdam' }).startOf('day');
        const age = Math.floor(day.diff(birth, 'years').years);
        const month = birth.toFormat('yyyy-MM');
        expect(possibleAges({ birthMonth: month }, at)).toContain(age);
        expect(possibleAges({ birthYear: birth.year }, at)).toContain(age);
        expect(possibleAges({ birthMonth: month }, at).length).toBeLessThanOrEqual(2);
      },
    ), { numRuns: 500 });
  });
});

describe('agesInRange', () => {
  it.each([
    [[0], false, true], [[-1, 0], false, false], [[17], false, true], [[17, 18], false, false],
    [[17, 18], true, true], [[22], true, true], [[22, 23], true, false], [[76], true, false],
  ] as const)('%o with extendedCare %s → %s', (ages, extendedCare, expected) => {
    expect(agesInRange(ages, extendedCare)).toBe(expected);
  });
});

describe('consent for every possible age (R9)', () => {
  it('asks whom each age asks, together', () => {
    expect(consentPartiesAt(11)).toEqual(['parents']);
    expect(consentPartiesAt(12)).toEqual(['youth', 'parents']);
    expect(consentPartiesAt(16)).toEqual(['youth']);
    expect(consentPartiesFor([11, 12])).toEqual(['youth', 'parents']);
    expect(consentPartiesFor([15, 16])).toEqual(['youth', 'parents']);
    expect(consentPartiesFor([16, 17])).toEqual(['youth']);
  });

  const subject = (birth: { birthYear?: number; birthMonth?: string }) =>
    ({ ...parsedSubmission().subject, birthYear: undefined, ...birth });

  it('holds for a youth of 16 for sure with the youth alone, not for one who may be 15', () => {
    const youthOnly = { youth: 'given', parents: 'refused' } as const;
    expect(consentHolds(youthOnly, subject({ birthMonth: '2010-11' }), DEC_3)).toBe(true);
    expect(consentHolds(youthOnly, subject({ birthYear: 2010 }), DEC_3)).toBe(false);
    expect(consentHolds(youthOnly, subject({ birthMonth: '2010-12' }), DEC_3)).toBe(false);
  });

  it('takes a legal ground only with an explanation of at least 10 characters with letters', () => {
    const refused = { youth: 'refused', parents: 'refused' } as const;
    const s = subject({ birthYear: 2012 });
    expect(consentHolds({ ...refused, legalGround: { basis: 'meldcode', explanation: '.' } }, s, DEC_3)).toBe(false);
    expect(consentHolds({ ...refused, legalGround: { basis: 'meldcode', explanation: '1234567890' } }, s, DEC_3)).toBe(false);
    expect(consentHolds({ ...refused, legalGround: { basis: 'meldcode', explanation: 'Meldcode stap 5' } }, s, DEC_3))
      .toBe(true);
  });

  it('reads the current consent as the submission changed by every UPDATE_CONSENT in order', () => {
    const submission = parsedSubmission();
    const at = DEC_3;
    const record = {
      submission,
      consentUpdates: [
        { type: 'UPDATE_CONSENT' as const, parents: 'refused' as const, at },
        { type: 'UPDATE_CONSENT' as const, legalGround: { basis: 'statutory_task' as const, explanation: 'Jeugdwet 2.3' }, at },
        { type: 'UPDATE_CONSENT' as const, youth: 'not_asked' as const, at },
      ],
    };
    expect(currentConsent(record)).toEqual({
      youth: 'not_asked', parents: 'refused',
      legalGround: { basis: 'statutory_task', explanation: 'Jeugdwet 2.3' },
    });
  });
});
