/**
 * The overleg as a meeting in a calendar (DESIGN §6.3): one VEVENT (RFC 5545) with the time and
 * the case's reference, a link into the console, and nothing else of the file. No names, no
 * question, no agenda, no participants: a calendar entry travels to mail servers, phones and
 * shared agendas that are no place for a child's file.
 *
 * Pure: the same case gives the same text (its DTSTAMP is the moment the overleg was scheduled),
 * so the API route, the console's link and an invitation mail all hand out one file.
 */
import ical, { ICalEventClass } from 'ical-generator';
import type { CaseRecord } from '../../machines/referral.types.ts';

/** How long an overleg is taken to last: the schedule names its start only. */
export const OVERLEG_MINUTES = 90;

type Schedule = CaseRecord['overlegSchedules'][number];

/**
 * The overleg that is planned and not yet held: the latest schedule when no record followed it and
 * the case is open. `index`: its place among the case's schedules (a case that is reassessed
 * plans a new overleg, which is another event).
 */
export function plannedOverleg(record: Pick<CaseRecord, 'overlegSchedules' | 'overlegRecords' | 'closure'>):
  { schedule: Schedule; index: number } | null {
  const index = record.overlegSchedules.length - 1;
  const schedule = record.overlegSchedules[index];
  if (schedule === undefined || record.closure !== null) return null;
  const held = record.overlegRecords.at(-1);
  if (held !== undefined && held.at >= schedule.at) return null;
  return { schedule, index };
}

/** What the summary calls the case: its reference, as the console's case page heads it ("Casus …"). */
export const overlegSummary = (reference: string): string => `Overleg expertteam, casus ${reference}`;

/**
 * The .ics of the case's planned overleg, or null when none is planned. `consoleBase`: the
 * console's address (PUBLIC_URL), for the link to the case page. `label`: what the summary names
 * the case by (its reference; a mail's attachment names it by the case number instead, as mails do).
 */
export function overlegIcs(caseId: string, record: CaseRecord, consoleBase: string,
  label: string = record.submission.subject.reference): string | null {
  const planned = plannedOverleg(record);
  if (planned === null) return null;
  const start = new Date(planned.schedule.scheduledAt);
  const calendar = ical({ prodId: { company: 'passend', product: 'passend', language: 'NL' } });
  calendar.createEvent({
    // Stable per case and schedule: importing the file again updates the entry instead of doubling it.
    id: `overleg-${caseId}-${planned.index + 1}@passend`,
    stamp: new Date(planned.schedule.at),
    start,
    end: new Date(start.getTime() + OVERLEG_MINUTES * 60_000),
    summary: overlegSummary(label),
    url: `${consoleBase.replace(/\/+$/, '')}/casussen/${caseId}`,
    // Shared agendas show it as busy, without the summary.
    class: ICalEventClass.PRIVATE,
  });
  return calendar.toString();
}

/** The file name an .ics is offered under. */
export const overlegIcsName = (caseId: string): string => `overleg-${caseId}.ics`;
