/**
 * The overleg as a meeting (DESIGN §6.3, issue 25), in the pure parts: a real MDO fits the event
 * schemas (youth, parents, the GI and many professionals, an agenda), too many is refused, and the
 * planned overleg's calendar entry (src/cases/overleg-ics.ts) holds the time and the reference and
 * nothing else of the file.
 */
import { describe, expect, it } from 'vitest';
import { MACHINE_VERSION_2_1, REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { recordOf, step } from '../../machines/referral.ts';
import {
  AGENDA_MAX, EVENT_SCHEMAS, OVERLEG_PARTICIPANTS_MAX, ReferralEventSchema, type EventInputOf, type ReferralEvent,
} from '../../machines/referral.schemas.ts';
import { OVERLEG_MINUTES, overlegIcs, plannedOverleg } from '../../src/cases/overleg-ics.ts';
import { invitedProfessionals } from '../../src/console/forms-nl.ts';
import { events } from '../support/fixtures.ts';
import { AT, drive, driveTo, pathTo, stamp } from './helpers.ts';

type Participant = EventInputOf<'SCHEDULE_OVERLEG'>['participants'][number];

const professionals = (n: number): Participant[] => Array.from({ length: n }, (_, i) => ({
  role: 'professional' as const, organisation: `Organisatie ${i + 1}`, discipline: `Discipline ${i + 1}`,
}));
/** Youth, parents, the GI and seven professionals: ten at the table. */
const TEN: Participant[] = [
  { role: 'youth' }, { role: 'parents' }, { role: 'guardian', organisation: 'Jeugdbescherming West', discipline: 'jeugdbeschermer' },
  ...professionals(7),
];
const AGENDA = 'Kennismaking\nWat is er al geprobeerd\nWie doet wat tot de school weer begint';
const SCHEDULED_AT = '2026-02-10T13:30:00+01:00';

const scheduleEvent = (extra: Partial<EventInputOf<'SCHEDULE_OVERLEG'>> = {}) =>
  events.SCHEDULE_OVERLEG({ scheduledAt: SCHEDULED_AT, participants: TEN, agenda: AGENDA, ...extra });

describe('SCHEDULE_OVERLEG and RECORD_OVERLEG: any real table fits, too many does not', () => {
  it('ten participants and an agenda are accepted by the schema and the machine, on 2.2.0 and on 2.1.0', () => {
    const parsed = ReferralEventSchema.parse(scheduleEvent()) as ReferralEvent;
    expect(parsed).toMatchObject({ participants: TEN, agenda: AGENDA });
    for (const version of [REFERRAL_MACHINE_VERSION, MACHINE_VERSION_2_1]) {
      const persisted = driveTo('planning_overleg');
      const result = step(version, persisted, stamp(parsed, AT));
      expect(result.outcome, version).toBe('applied');
      if (result.outcome !== 'applied') continue;
      expect(result.state).toBe('overleg_scheduled');
      expect(recordOf(result.persisted).overlegSchedules.at(-1)).toMatchObject({ participants: TEN, agenda: AGENDA });
    }
  });

  it(`up to ${OVERLEG_PARTICIPANTS_MAX} participants and professionals are accepted; one more is refused`, () => {
    const many = [{ role: 'youth' as const }, { role: 'parents' as const }, ...professionals(OVERLEG_PARTICIPANTS_MAX - 2)];
    expect(EVENT_SCHEMAS.SCHEDULE_OVERLEG.safeParse(scheduleEvent({ participants: many })).success).toBe(true);
    const tooMany = EVENT_SCHEMAS.SCHEDULE_OVERLEG.safeParse(scheduleEvent({ participants: [...many, ...professionals(1)] }));
    expect(tooMany.success).toBe(false);
    expect(tooMany.error?.issues[0]).toMatchObject({ path: ['participants'], code: 'too_big', maximum: OVERLEG_PARTICIPANTS_MAX });

    const record = (n: number) => EVENT_SCHEMAS.RECORD_OVERLEG.safeParse(events.RECORD_OVERLEG({
      professionals: professionals(n).map(({ organisation, discipline }) => ({ organisation: organisation!, discipline: discipline! })),
    }));
    expect(record(10).success).toBe(true);
    expect(record(OVERLEG_PARTICIPANTS_MAX).success).toBe(true);
    expect(record(OVERLEG_PARTICIPANTS_MAX + 1).error?.issues[0]).toMatchObject({ path: ['professionals'], code: 'too_big' });
  });

  it(`the agenda is optional, at most ${AGENDA_MAX} characters, and says something when given`, () => {
    const { agenda: _agenda, ...without } = scheduleEvent();
    expect(EVENT_SCHEMAS.SCHEDULE_OVERLEG.safeParse(without).success).toBe(true);
    expect(EVENT_SCHEMAS.SCHEDULE_OVERLEG.safeParse(scheduleEvent({ agenda: 'a'.repeat(AGENDA_MAX) })).success).toBe(true);
    for (const agenda of ['a'.repeat(AGENDA_MAX + 1), '   ', '', 'Punt 1\u0000']) {
      const result = EVENT_SCHEMAS.SCHEDULE_OVERLEG.safeParse(scheduleEvent({ agenda }));
      expect(result.success, JSON.stringify(agenda.slice(0, 20))).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['agenda']);
    }
    expect(EVENT_SCHEMAS.SCHEDULE_OVERLEG.parse(scheduleEvent({ agenda: '  Punt 1\n  ' })).agenda).toBe('Punt 1');
  });
});

/** The lines of an iCalendar text, unfolded (RFC 5545 §3.1), as NAME[;params] → value. */
function unfold(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
}
const property = (lines: string[], name: string): string | undefined =>
  lines.find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`))?.replace(/^[^:]*:/, '');

describe('the planned overleg as a calendar entry (overlegIcs)', () => {
  const CASE_ID = '6f1c2d3e-4b5a-4c6d-8e7f-001122334455';
  const BASE = 'https://passend.example.nl/';
  const scheduled = () => drive([...pathTo('planning_overleg'), stamp(EVENT_SCHEMAS.SCHEDULE_OVERLEG.parse(scheduleEvent()) as ReferralEvent, AT)]);

  it('is one VEVENT: start in UTC, 90 minutes, a stable UID, the reference, the link; CRLF lines', () => {
    const record = recordOf(scheduled());
    const ics = overlegIcs(CASE_ID, record, BASE)!;
    expect(ics).not.toBeNull();
    // Every line ends in CRLF (RFC 5545 §3.1).
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfold(ics);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(property(lines, 'VERSION')).toBe('2.0');
    // 13:30 in Amsterdam in February (CET, +01:00) is 12:30 UTC.
    expect(property(lines, 'DTSTART')).toBe('20260210T123000Z');
    expect(OVERLEG_MINUTES).toBe(90);
    expect(property(lines, 'DTEND')).toBe('20260210T140000Z');
    expect(property(lines, 'DTSTAMP')).toBe('20260201T100000Z');
    expect(property(lines, 'UID')).toBe(`overleg-${CASE_ID}-1@passend`);
    expect(property(lines, 'SUMMARY')).toBe('Overleg expertteam\\, casus WN-2026-0042');
    expect(property(lines, 'URL')).toBe(`https://passend.example.nl/casussen/${CASE_ID}`);
    expect(property(lines, 'CLASS')).toBe('PRIVATE');
    // The same case gives the same file: a second import updates the entry, it does not double it.
    expect(overlegIcs(CASE_ID, record, BASE)).toBe(ics);
  });

  it('holds nothing of the file: no agenda, participants, question, words of the family or birth year', () => {
    const record = recordOf(scheduled());
    const ics = overlegIcs(CASE_ID, record, BASE)!;
    const unfolded = unfold(ics).join('\n');
    const names = ['Kennismaking', 'geprobeerd', 'Jeugdbescherming', 'jeugdbeschermer', 'Organisatie', 'Discipline',
      record.submission.requestForHelp.summary, record.submission.requestForHelp.inWordsOfYouth!,
      record.submission.requestForHelp.inWordsOfParents!, record.submission.triedSoFar, 'Wijkteam', '2012'];
    for (const text of names) expect(unfolded, text).not.toContain(text);
    expect(unfold(ics).map((l) => l.replace(/[;:].*$/, '')).filter((n) => !['BEGIN', 'END'].includes(n)).sort())
      .toEqual(['CLASS', 'DTEND', 'DTSTAMP', 'DTSTART', 'PRODID', 'SEQUENCE', 'SUMMARY', 'UID', 'URL', 'VERSION']);
  });

  it('is there only while an overleg is planned: not before, not once held, not when the case closed', () => {
    expect(overlegIcs(CASE_ID, recordOf(driveTo('planning_overleg')), BASE)).toBeNull();
    expect(overlegIcs(CASE_ID, recordOf(driveTo('advising')), BASE)).toBeNull();
    const withdrawn = step(REFERRAL_MACHINE_VERSION, scheduled(), stamp(events.WITHDRAW() as ReferralEvent, AT));
    expect(withdrawn.outcome).toBe('applied');
    if (withdrawn.outcome === 'applied') expect(plannedOverleg(recordOf(withdrawn.persisted))).toBeNull();
  });
});

describe('the record form starts with the professionals invited (invitedProfessionals)', () => {
  it('every professional and the GI with what the schedule gave; youth, parents and empty rows left out', () => {
    const record = recordOf(drive([...pathTo('planning_overleg'), stamp(EVENT_SCHEMAS.SCHEDULE_OVERLEG.parse(scheduleEvent({
      participants: [...TEN.slice(0, 3), { role: 'professional' }, { role: 'professional', organisation: 'School Noord' }],
    })) as ReferralEvent, AT)]));
    expect(invitedProfessionals(record)).toEqual({
      'professionals.0.organisation': 'Jeugdbescherming West', 'professionals.0.discipline': 'jeugdbeschermer',
      'professionals.1.organisation': 'School Noord', 'professionals.1.discipline': '',
    });
    expect(invitedProfessionals(recordOf(driveTo('planning_overleg')))).toEqual({});
  });
});
