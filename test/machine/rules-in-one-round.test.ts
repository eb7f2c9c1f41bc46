/**
 * Errors in one round (DESIGN §6.2): `rulesBroken` lists every rule a client event breaks, in the
 * order of `ruleBroken`, whose one answer (the engine's 422) is always its first. Pure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { ruleBroken, rulesBroken, type PersistedReferral } from '../../machines/referral.ts';
import { EVENT_SCHEMAS, type EventInputOf, type ReferralEvent } from '../../machines/referral.schemas.ts';
import { explains } from '../../machines/referral.text.ts';
import { events, helpItem } from '../support/fixtures.ts';
import { AT, driveTo, stamp } from './helpers.ts';

type HelpItem = EventInputOf<'ISSUE_ADVICE'>['helpItems'][number];

const text = fc.constantFrom('', 'ok', '   ', 'Past bij de vraag van de jongere', 'Gemeente Utrecht');
const itemArb = fc.record({
  kind: fc.constantFrom('existing_offer', 'custom_arrangement'),
  fitRationale: text,
  funder: fc.option(text, { nil: undefined }),
}).map(({ kind, fitRationale, funder }): HelpItem => {
  const item: HelpItem = { ...helpItem(0), kind, fitRationale };
  if (funder === undefined) delete item.financing;
  else item.financing = [{ law: 'jeugdwet', funder }];
  return item;
});

describe('rulesBroken', () => {
  const advising: PersistedReferral = driveTo('advising');
  const record = advising.context.record;

  it('names every rule an advice breaks: each unexplained text, a missing fit rationale, a missing funder; its first is ruleBroken\'s', () => {
    fc.assert(fc.property(fc.array(itemArb, { minLength: 1, maxLength: 3 }), text, (items, summary) => {
      const parsed = EVENT_SCHEMAS.ISSUE_ADVICE.safeParse(events.ISSUE_ADVICE({ helpItems: items, summary }));
      fc.pre(parsed.success);
      const event = stamp(parsed.data as ReferralEvent, AT) as Parameters<typeof rulesBroken>[0];
      const expected = [
        ...(explains(summary) ? [] : [{ code: 'REASON_REQUIRED', breach: { field: 'summary', reason: expect.any(String) } }]),
        ...(items.every((i) => explains(i.fitRationale)) ? [] : [{ code: 'FIT_RATIONALE_REQUIRED' }]),
        ...(items.some((i) => i.kind === 'custom_arrangement' && !(i.financing ?? []).some((f) => (f.funder ?? '').trim() !== ''))
          ? [{ code: 'FUNDER_REQUIRED' }] : []),
      ];
      const all = rulesBroken(event, record, REFERRAL_MACHINE_VERSION);
      expect(all).toEqual(expected);
      const first = ruleBroken(event, record, REFERRAL_MACHINE_VERSION);
      if (all.length === 0) expect(first).toBeUndefined();
      else expect(first).toEqual({ outcome: 'rule_broken', ...all[0] });
    }), { numRuns: 200 });
  });

  it('a decline with two texts that explain nothing names both fields', () => {
    const triage = driveTo('triage');
    const parsed = EVENT_SCHEMAS.DECLINE.parse(events.DECLINE({ reason: 'nee', adviceToReferrer: '.' }));
    const all = rulesBroken(stamp(parsed as ReferralEvent, AT) as Parameters<typeof rulesBroken>[0], triage.context.record);
    expect(all.map((b) => b.breach?.field)).toEqual(['reason', 'adviceToReferrer']);
    expect(all.every((b) => b.code === 'REASON_REQUIRED')).toBe(true);
  });
});
