/**
 * The file on the case page (DESIGN §6.2): what the case record holds, in sections and in plain
 * Dutch, so that triage, the overleg and the local team that carries out the advice read it where
 * they work instead of in the trail. Every section is shown to every role that may open the case:
 * the referring local team reads its own referral in full.
 */
import { consentPartiesFor, possibleAges } from '../../machines/referral.age.ts';
import { currentConsent } from '../../machines/referral.rules.ts';
import type { CaseRecord } from '../../machines/referral.types.ts';
import { plannedOverleg } from '../cases/overleg-ics.ts';
import { label, OFFER_KIND_LABELS, weeksNl } from '../http/labels-nl.ts';
import type { Options } from './form.ts';
import { PARTICIPANT_OPTIONS, PARTICIPATION_OPTIONS } from './forms-nl.ts';
import { dataList, esc, table, when } from './page.ts';

type Item = [string, string];

const optionLabel = (options: Options, value: string): string => options.find(([v]) => v === value)?.[1] ?? value;
/** A free text as a paragraph-like value: its line breaks kept. */
const prose = (text: string | undefined | null): string => (text ? esc(text).replace(/\r?\n/g, '<br>') : '—');
const section = (id: string, heading: string, body: string): string =>
  `<section aria-labelledby="kop-${id}"><h2 class="utrecht-heading-2" id="kop-${id}">${esc(heading)}</h2>\n${body}</section>`;
/** Only the items that have a value: an empty "in de woorden van de jongere" is left out. */
const given = (items: readonly (Item | false | undefined)[]): Item[] => items.filter((i): i is Item => Array.isArray(i));

const REFERRER: Record<string, string> = { professional: 'Een professional', parent: 'Een ouder', youth: 'De jongere zelf' };
const CONSENT: Record<string, string> = { given: 'Gegeven', refused: 'Geweigerd', not_asked: 'Niet gevraagd' };
const AUTHORITY: Record<string, string> = {
  joint_parents: 'Beide ouders', one_parent: 'Eén ouder', guardian: 'Voogd', unknown: 'Onbekend',
};
const MEASURE: Record<string, string> = {
  none: 'Geen', ots: 'Ondertoezichtstelling (OTS)', guardianship: 'Voogdij', other: 'Anders',
};
const LEGAL_BASIS: Record<string, string> = {
  consent: 'Toestemming', statutory_task: 'Wettelijke taak', child_protection_measure: 'Kinderbeschermingsmaatregel',
  meldcode: 'Meldcode', other: 'Anders',
};
const FAMILY: Record<string, string> = { agrees: 'Eens', partly: 'Deels eens', disagrees: 'Oneens', not_asked: 'Niet gevraagd' };
/** A help item's kind in the words of the inspectorate's finding: maatwerk instead of supply. */
export const HELP_KIND: Record<string, string> = { custom_arrangement: 'Maatwerk', existing_offer: 'Bestaand aanbod' };
const WAITING_SOURCE: Record<string, string> = {
  provider: 'opgave van de aanbieder', waiting_list: 'wachtlijst', estimate: 'schatting', register: 'aanbodregister',
};
const LAWS: Record<string, string> = {
  jeugdwet: 'Jeugdwet', wmo: 'Wmo', wlz: 'Wlz', zvw: 'Zorgverzekeringswet', onderwijs: 'Onderwijs', other: 'Anders',
};
const PARTIES: Record<string, string> = { youth: 'de jongere', parents: 'de ouders (of voogd)' };

/** "13 of 14 jaar" */
const agesInWords = (ages: readonly number[]): string => `${ages.join(' of ')} jaar`;

/** School age (leerplicht and kwalificatieplicht): 5 up to 18. */
const SCHOOL_AGE = { from: 5, upTo: 17 };

/**
 * The school situation in words; "thuiszitter" only for a child of school age on every age it
 * may have today: a toddler or an adult who does not go to school is no thuiszitter.
 */
export function schoolStatus(status: string, ages: readonly number[]): string {
  const schoolAge = ages.length > 0 && ages.every((a) => a >= SCHOOL_AGE.from && a <= SCHOOL_AGE.upTo);
  return status === 'not_attending' && schoolAge ? 'Thuiszitter (gaat niet naar school)' : label(status);
}

/** The question in the family's own words, what was tried, school and safety. */
export function intake(record: CaseRecord, now: Date): string {
  const s = record.submission;
  const school = record.schoolUpdates.at(-1) ?? s.school;
  const ages = possibleAges(s.subject, now);
  return section('aanmelding', 'Aanmelding', dataList(given([
    ['Aangemeld door', esc(`${REFERRER[s.referrer.kind] ?? s.referrer.kind}${s.referrer.organisation ? ` (${s.referrer.organisation})` : ''}`)],
    ['Aangemeld op', when(record.submittedAt)],
    ['De vraag', prose(s.requestForHelp.summary)],
    ['In de woorden van de jongere', prose(s.requestForHelp.inWordsOfYouth)],
    ['In de woorden van de ouders', prose(s.requestForHelp.inWordsOfParents)],
    ['Wat is al geprobeerd', prose(s.triedSoFar)],
    ['Leefgebieden', esc(s.problemAreas.map(label).join(', '))],
    ['Urgentie', esc(s.urgency === 'urgent' ? 'Spoed' : 'Gewoon')],
    ['Zorgen over de veiligheid', esc(s.safetyConcern
      ? `Ja${s.safety ? `; Veilig Thuis is ${s.safety.veiligThuis ? '' : 'niet '}betrokken` : ''}` : 'Nee')],
    ['School', `${esc(schoolStatus(school.status, ages))}${school.notAttendingSince ? ` sinds ${when(school.notAttendingSince, false)}` : ''}`],
  ])));
}

/**
 * Every change of consent since the submission, oldest first: when, what it set, and (for those
 * who read the trail) who recorded it, how the change came in and why (API-Version 1.3.0; older
 * changes show "—"); a legal ground carries its explanation.
 */
function consentHistory(record: CaseRecord, recordedBy?: ReadonlyMap<string, string>): string {
  if (record.consentUpdates.length === 0) return '';
  const value = (v: string | undefined) => (v === undefined ? 'ongewijzigd' : CONSENT[v] ?? v);
  const rows = record.consentUpdates.map((u) => [
    when(u.at), esc(value(u.youth)), esc(value(u.parents)), u.legalGround === undefined ? '—' : legalGround(u.legalGround),
    esc(u.source === undefined ? '—' : label(u.source)), esc(u.reason ?? '—'),
    ...(recordedBy ? [esc(recordedBy.get(u.at) ?? '—')] : []),
  ]);
  return table('Wijzigingen van de toestemming', ['Wanneer', 'Jongere', 'Ouders (of voogd)', 'Grondslag', 'Hoe', 'Reden',
    ...(recordedBy ? ['Vastgelegd door'] : [])], rows);
}

/** The possible ages today, whose consent the law asks for at those ages and what was given; authority. */
export function consentAndAuthority(record: CaseRecord, now: Date, recordedBy?: ReadonlyMap<string, string>): string {
  const subject = record.submission.subject;
  const consent = currentConsent(record);
  const ages = possibleAges(subject, now);
  const needed = consentPartiesFor(ages);
  const ground = consent.legalGround;
  return section('toestemming', 'Toestemming en gezag', `${dataList(given([
    ['Geboren', esc(subject.birthMonth ?? String(subject.birthYear ?? '—'))],
    ['Leeftijd nu', esc(ages.length > 1 ? `${agesInWords(ages)} (alleen ${subject.birthMonth ? 'de maand' : 'het jaar'} is bekend)` : agesInWords(ages))],
    ['Toestemming nodig van', esc(needed.map((p) => PARTIES[p]).join(' en '))],
    ['Toestemming van de jongere', esc(CONSENT[consent.youth] ?? consent.youth)],
    ['Toestemming van de ouders (of voogd)', esc(CONSENT[consent.parents] ?? consent.parents)],
    ground !== undefined && ['Grondslag zonder toestemming', legalGround(ground)],
    record.consentUpdates.length > 0 && ['Toestemming gewijzigd', when(record.consentUpdates.at(-1)!.at)],
    ['Gezag', esc(AUTHORITY[subject.authority] ?? subject.authority)],
    ['Kinderbeschermingsmaatregel', esc(MEASURE[subject.protectionMeasure] ?? subject.protectionMeasure)],
    subject.guardianOrganisation !== undefined && ['Gecertificeerde instelling', esc(subject.guardianOrganisation)],
    subject.extendedCare !== undefined && ['Verlengde jeugdhulp', esc(subject.extendedCare ? 'Ja' : 'Nee')],
  ]))}
${consentHistory(record, recordedBy)}`);
}

/** How the triage went: who, and why the case was taken on (a decline or consultation shows under Afsluiting). */
export function triage(record: CaseRecord): string {
  const start = record.triageStart;
  const decision = record.triageDecision;
  if (!start && !decision) return '';
  return section('triage', 'Triage', dataList(given([
    // §6.3: the person made regisseur at the start; the free-text coordinator of before, where one was written.
    start?.regisseur !== undefined && ['Procesregisseur bij de start', esc(start.regisseur.name)],
    start !== null && start.coordinator !== undefined && ['Coördinator (vrije tekst)', esc(start.coordinator)],
    start !== null && ['Gestart', when(start.at)],
    decision?.type === 'ACCEPT' && ['Aangenomen op', when(decision.at)],
    decision?.type === 'ACCEPT' && ['Waarom aangenomen', prose(decision.rationale)],
    decision !== null && ['Gewone routes geprobeerd', esc(decision.findings.regularRoutesTried ? 'Ja' : 'Nee')],
    decision !== null && ['Hulpvraag duidelijk', esc(decision.findings.questionClear ? 'Ja' : 'Nee')],
  ])));
}

type Participation = CaseRecord['overlegRecords'][number]['youth'];

/**
 * A reason or a legal ground as recorded: a code with an explanation, or (a case from before
 * machine 2.0.0, read as stored) a bare text.
 */
function reasonText(reason: { code?: string; explanation?: string } | string): string {
  if (typeof reason === 'string') return prose(reason);
  return `${esc(reason.code ? label(reason.code) : '')}${reason.explanation ? `: ${prose(reason.explanation)}` : ''}`;
}

function legalGround(ground: { basis?: string; explanation?: string } | string): string {
  if (typeof ground === 'string') return prose(ground);
  return `${esc(ground.basis ? LEGAL_BASIS[ground.basis] ?? ground.basis : '')}${ground.explanation ? `: ${prose(ground.explanation)}` : ''}`;
}

function takingPart(who: string, p: Participation): Item[] {
  return given([
    [who, esc(optionLabel(PARTICIPATION_OPTIONS, p.participation))],
    p.reason !== undefined && [`${who}: waarom niet betrokken`, reasonText(p.reason)],
    p.wish !== undefined && [`${who}: wens in eigen woorden`, prose(p.wish)],
  ]);
}

/**
 * The overleg: planned (with its agenda), who was there, each one's wish in their own words, the
 * analysis. `icsHref`: where the planned overleg's calendar entry is, for a link while it is planned.
 */
export function overleg(record: CaseRecord, icsHref?: string): string {
  const planned = record.overlegSchedules.at(-1);
  const held = record.overlegRecords.at(-1);
  if (!planned && !held) return '';
  const who = (role: string) => optionLabel(PARTICIPANT_OPTIONS, role);
  const ics = icsHref !== undefined && plannedOverleg(record) !== null
    ? ` <a class="utrecht-link utrecht-link--html-a" href="${esc(icsHref)}" download>Zet in agenda (.ics)</a>` : '';
  return section('overleg', 'Overleg', `${planned ? `<p class="utrecht-paragraph">Gepland op ${when(planned.scheduledAt)}.${ics}</p>
${planned.agenda !== undefined ? dataList([['Agenda', prose(planned.agenda)]]) : ''}
${table('Uitgenodigd', ['Wie', 'Organisatie', 'Discipline'], planned.participants.map((p) => [esc(who(p.role)), esc(p.organisation ?? '—'), esc(p.discipline ?? '—')]))}` : ''}
${held ? `<p class="utrecht-paragraph">Gehouden op ${when(held.heldAt)}.</p>
${dataList([
    ...takingPart('Jongere', held.youth), ...takingPart('Ouders', held.parents),
    ['Analyse', prose(held.analysis)],
    ['Verstoringen', esc(held.disruptions.length > 0 ? held.disruptions.map(label).join(', ') : 'Geen')],
  ])}
${table('Professionals aan tafel', ['Organisatie', 'Discipline'], held.professionals.map((p) => [esc(p.organisation), esc(p.discipline)]))}` : ''}`);
}

type AdviceItem = CaseRecord['advices'][number]['helpItems'][number];
type ItemState = CaseRecord['helpItems'][number];

function financing(item: AdviceItem): string {
  if (!item.financing || item.financing.length === 0) return '—';
  return esc(item.financing.map((f) => `${LAWS[f.law] ?? f.law}: ${f.funder}`).join('; '));
}

function history(state: ItemState | undefined): string {
  if (!state || state.history.length === 0) return '—';
  return `<ol class="utrecht-ordered-list">${state.history.map((h) =>
    `<li>${when(h.date, false)}: ${esc(label(h.status))}${h.reason ? ` (${esc(h.reason)})` : ''}${h.decision ? `, besluit van ${esc(h.decision.by)} op ${when(h.decision.date, false)}` : ''}</li>`).join('')}</ol>`;
}

/**
 * The waiting time of a help item: at the advice, with its source, and for an item naming an offer
 * of the register the offer's waiting time today (§6.4): "Wachttijd bij advies: 9 weken; nu: 11 weken".
 */
export function waitingText(item: Pick<AdviceItem, 'waitingWeeks' | 'waitingWeeksSource'>, now?: number | null): string {
  const weeks = item.waitingWeeks ?? 0;
  const source = item.waitingWeeksSource ? ` (${WAITING_SOURCE[item.waitingWeeksSource] ?? item.waitingWeeksSource})` : '';
  if (now === undefined) return `${weeksNl(weeks)}${source}`;
  return `Wachttijd bij advies: ${weeksNl(weeks)}; nu: ${now === null ? 'geen wachttijd gemeld' : weeksNl(now)}${source}`;
}

/** One help item of the advice: its kind in words, provider, why it fits, financing, waiting time, status. */
function helpItem(item: AdviceItem, state: ItemState | undefined, n: number, now?: number | null): string {
  const offer = (item as { offer?: { name: string; provider: string } }).offer;
  return `<h4 class="utrecht-heading-4">${n}. ${esc(item.description)}</h4>
${dataList(given([
    ['Soort', esc(HELP_KIND[item.kind] ?? item.kind)],
    item.helpKind !== undefined && ['Soort hulp', esc(OFFER_KIND_LABELS[item.helpKind] ?? item.helpKind)],
    offer !== undefined && ['Aanbod uit het register', esc(`${offer.name} (${offer.provider})`)],
    ['Aanbieder', esc(item.provider ?? '—')],
    ['Waarom dit past', prose(item.fitRationale)],
    item.noOfferBecause !== undefined && ['Waarom geen bestaand aanbod past', prose(item.noOfferBecause)],
    ['Verantwoordelijk', esc(item.responsibleOrganisation)],
    ['Financiering', financing(item)],
    ['Wachttijd', esc(waitingText(item, now))],
    state !== undefined && ['Stand', `${esc(label(state.status))} sinds ${when(state.statusSince, false)}`],
    state !== undefined && ['Verloop', history(state)],
  ]))}`;
}

/** The latest advice: its summary, every help item and the family's response. */
export function advice(record: CaseRecord, waitingNow: ReadonlyMap<string, number | null> = new Map()): string {
  const latest = record.advices.at(-1);
  if (!latest) return '';
  const states = record.helpItems;
  const stateOf = (item: AdviceItem, i: number) => states.find((s) => item.id !== undefined && s.id === item.id) ?? states[i];
  const rows = latest.helpItems.map((item, i) => {
    const state = stateOf(item, i);
    return [esc(HELP_KIND[item.kind] ?? item.kind), esc(item.description), esc(item.provider ?? '—'), esc(item.responsibleOrganisation),
      esc(weeksNl(item.waitingWeeks ?? 0)), state ? esc(label(state.status)) : '—', state ? when(state.statusSince, false) : '—'];
  });
  const response = latest.familyResponse;
  return section('advies', 'Advies', `${dataList(given([
    ['Gegeven op', when(latest.at)],
    ['Het advies', prose(latest.summary)],
    ['Jongere over het advies', esc(FAMILY[response.youth] ?? response.youth)],
    ['Ouders over het advies', esc(FAMILY[response.parents] ?? response.parents)],
    response.notes !== undefined && ['Reactie in eigen woorden', prose(response.notes)],
    record.advices.length > 1 && ['Eerdere adviezen', esc(`${record.advices.length - 1}; zie het verloop`)],
  ]))}
<h3 class="utrecht-heading-3" id="kop-hulp">Hulp uit het advies</h3>
${table('Hulponderdelen en hun stand', ['Soort', 'Omschrijving', 'Aanbieder', 'Verantwoordelijk', 'Wachttijd', 'Stand', 'Sinds'], rows)}
${latest.helpItems.map((item, i) => helpItem(item, stateOf(item, i), i + 1,
    item.id !== undefined && item.offerId !== undefined ? waitingNow.get(item.id) ?? null : undefined)).join('\n')}`);
}

/** The latest bridging plan: what bridges the wait, who is responsible, when it is reviewed. */
export function bridging(record: CaseRecord): string {
  const plan = record.bridgingPlans.at(-1);
  if (!plan) return '';
  const measures = Array.isArray(plan.measures) ? plan.measures : [plan.measures];
  return section('overbrugging', 'Overbrugging', `${dataList([
    ['Vastgelegd op', when(plan.at)],
    ['Verantwoordelijk', esc(plan.responsibleOrganisation)],
    ['Evaluatie op', when(plan.reviewAt, plan.reviewAt.length > 10)],
  ])}
<h3 class="utrecht-heading-3" id="kop-maatregelen">Maatregelen</h3>
<ul class="utrecht-unordered-list">${measures.map((m) => `<li>${prose(m)}</li>`).join('')}</ul>`);
}
