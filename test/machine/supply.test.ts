/**
 * The supply rules on an advice (DESIGN §6.4, machine 2.2.0): an item naming an offer carries the
 * register's waiting time (the engine resolves the offer; the machine stays pure), an offer the
 * region's register lacks is refused, and maatwerk says why no existing offer fits.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, type ReferralEvent } from '../../machines/referral.schemas.ts';
import { MACHINE_VERSION_2_1, REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { rulesBroken, stamp, step } from '../../machines/referral.ts';
import { offerIdsOf, type OfferResolution, type ResolvedOffer } from '../../machines/referral.supply.ts';
import { events, helpItem } from '../support/fixtures.ts';
import { AT, driveTo } from './helpers.ts';

const OFFER = randomUUID();
const registered = (weeks: number | null): ResolvedOffer =>
  ({ provider: 'Jeugdzorg Oost', name: 'Dagbehandeling 12+', kind: 'dagbehandeling', waitingWeeks: weeks, measuredAt: weeks === null ? null : '2026-01-20' });

const existing = (extra: Record<string, unknown> = {}) => {
  const { noOfferBecause: _n, financing: _f, waitingWeeks: _w, ...item } = helpItem(0);
  return { ...item, kind: 'existing_offer' as const, ...extra };
};

const parse = (items: unknown[]) =>
  EVENT_SCHEMAS.ISSUE_ADVICE.parse(events.ISSUE_ADVICE({ helpItems: items as never })) as ReferralEvent;

const advise = (items: unknown[], offers?: OfferResolution, version = REFERRAL_MACHINE_VERSION) =>
  step(version, driveTo('advising'), stamp(parse(items), AT, randomUUID, offers));

describe('an item naming an offer of the register', () => {
  it('carries the offer\'s latest waiting time, source register, with the offer and its kind', () => {
    const result = advise([existing({ offerId: OFFER })], new Map([[OFFER, registered(9)]]));
    expect(result.outcome).toBe('applied');
    if (result.outcome !== 'applied') return;
    expect(result.persisted.context.record.helpItems[0]).toMatchObject({
      offerId: OFFER, waitingWeeks: 9, waitingWeeksSource: 'register', helpKind: 'dagbehandeling',
      offer: { provider: 'Jeugdzorg Oost', name: 'Dagbehandeling 12+', kind: 'dagbehandeling', measuredAt: '2026-01-20' },
    });
    // 9 weeks is above the threshold of 0: the case waits, bridged.
    expect(result.state).toBe('bridging');
  });

  it('the register\'s value wins over the waiting time the item gives', () => {
    const result = advise([existing({ offerId: OFFER, waitingWeeks: 2, waitingWeeksSource: 'provider' })],
      new Map([[OFFER, registered(9)]]));
    expect(result.outcome === 'applied' && result.persisted.context.record.helpItems[0]).toMatchObject({
      waitingWeeks: 9, waitingWeeksSource: 'register',
    });
  });

  it('an id the region\'s register lacks → UNKNOWN_OFFER, naming the item\'s field', () => {
    const other = randomUUID();
    expect(advise([existing({ waitingWeeks: 1 }), existing({ offerId: other })], new Map([[other, null]]))).toEqual({
      outcome: 'rule_broken', code: 'UNKNOWN_OFFER', breach: { field: 'helpItems.1.offerId', reason: expect.any(String) },
    });
  });

  it('an offer without a reported waiting time: the item gives one (its own source), else WAITING_TIME_UNKNOWN', () => {
    const none = new Map([[OFFER, registered(null)]]);
    expect(advise([existing({ offerId: OFFER })], none)).toMatchObject({ outcome: 'rule_broken', code: 'WAITING_TIME_UNKNOWN' });
    const given = advise([existing({ offerId: OFFER, waitingWeeks: 3 })], none);
    expect(given.outcome === 'applied' && given.persisted.context.record.helpItems[0]).toMatchObject({
      waitingWeeks: 3, waitingWeeksSource: 'estimate', offer: { measuredAt: null },
    });
  });

  it('unresolved (a form checking its rules before the engine looked): no offer rule answers', () => {
    const event = stamp(parse([existing({ offerId: OFFER })]), AT, randomUUID);
    expect(rulesBroken(event as never, driveTo('advising').context.record)).toEqual([]);
    expect(offerIdsOf(parse([existing({ offerId: OFFER }), existing({ offerId: OFFER })]))).toEqual([OFFER]);
  });

  it('the schema asks a waiting time without an offer, and keeps register for the service', () => {
    expect(EVENT_SCHEMAS.ISSUE_ADVICE.safeParse(events.ISSUE_ADVICE({ helpItems: [existing() as never] })).success).toBe(false);
    expect(EVENT_SCHEMAS.ISSUE_ADVICE.safeParse(events.ISSUE_ADVICE({
      helpItems: [existing({ waitingWeeks: 2, waitingWeeksSource: 'register' }) as never],
    })).success).toBe(false);
  });
});

describe('maatwerk says why no existing offer fits (2.2.0)', () => {
  const maatwerk = (noOfferBecause?: string) => {
    const { noOfferBecause: _n, ...item } = helpItem(0);
    return noOfferBecause === undefined ? item : { ...item, noOfferBecause };
  };

  it.each([undefined, 'ok', '          ', '1234567890'])('noOfferBecause %j → REASON_REQUIRED naming the field', (why) => {
    expect(advise([maatwerk(why)])).toEqual({
      outcome: 'rule_broken', code: 'REASON_REQUIRED', breach: { field: 'helpItems.0.noOfferBecause', reason: expect.any(String) },
    });
  });

  it('with a reason it goes through and the item keeps it', () => {
    const result = advise([maatwerk('Geen aanbod combineert school en zorg')]);
    expect(result.outcome === 'applied' && result.persisted.context.record.helpItems[0]?.noOfferBecause)
      .toBe('Geen aanbod combineert school en zorg');
  });

  it('a case of 2.1.0 keeps the rules it was made with', () => {
    expect(advise([maatwerk()], undefined, MACHINE_VERSION_2_1).outcome).toBe('applied');
  });

  it('rulesBroken lists it with the other rules of the advice', () => {
    const event = stamp(parse([{ ...maatwerk(), fitRationale: 'ok' }]), AT, randomUUID);
    expect(rulesBroken(event as never, driveTo('advising').context.record).map((b) => b.code))
      .toEqual(['FIT_RATIONALE_REQUIRED', 'REASON_REQUIRED']);
  });
});
