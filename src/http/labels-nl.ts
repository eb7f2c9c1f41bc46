/**
 * The one set of Dutch labels: the console, the printable trail and the report show the words of
 * the expert teams, not the API's keys. A key without a label shows as itself.
 */

/** The lifecycle states (DESIGN §3). */
export const STATE_LABELS: Record<string, string> = {
  submitted: 'Aangemeld', triage: 'Triage', awaiting_information: 'Wacht op informatie',
  planning_overleg: 'Overleg wordt gepland', overleg_scheduled: 'Overleg gepland',
  advising: 'Advies in voorbereiding', bridging: 'Overbrugging', follow_up: 'Monitoren', closed: 'Afgesloten',
};

/** The entries of a trail, as what happened: the submission, each event type, a deadline that passed. */
export const EVENT_LABELS: Record<string, string> = {
  SUBMIT: 'Aanmelding', START_TRIAGE: 'Triage gestart', REQUEST_INFORMATION: 'Informatie gevraagd',
  PROVIDE_INFORMATION: 'Informatie gegeven', ACCEPT: 'Aangenomen', DECLINE: 'Afgewezen',
  CONSULT: 'Consultatie en advies', SCHEDULE_OVERLEG: 'Overleg gepland', RECORD_OVERLEG: 'Overleg vastgelegd',
  ISSUE_ADVICE: 'Advies gegeven', SET_BRIDGING_PLAN: 'Overbruggingsplan', REPORT_PROGRESS: 'Voortgang gemeld',
  REQUEST_REASSESSMENT: 'Herbeoordeling gevraagd', ESCALATE: 'Opgeschaald',
  RECORD_ESCALATION_OUTCOME: 'Uitkomst van de opschaling', UPDATE_HELP_ITEM: 'Hulponderdeel bijgewerkt',
  WITHDRAW: 'Ingetrokken', CLOSE: 'Afgesloten', ADD_NOTE: 'Notitie', UPDATE_CONSENT: 'Toestemming gewijzigd',
  UPDATE_SCHOOL: 'Schoolsituatie gewijzigd', DEADLINE_PASSED: 'Termijn verstreken',
  UPDATE_COMMITMENT: 'Afspraak afgehandeld', ASSIGN: 'Procesregisseur toegewezen',
};

/** The same events as actions, for the console's buttons and forms. */
export const ACTION_LABELS: Record<string, string> = {
  START_TRIAGE: 'Triage starten', REQUEST_INFORMATION: 'Informatie vragen', PROVIDE_INFORMATION: 'Informatie geven',
  ACCEPT: 'Aannemen', DECLINE: 'Afwijzen', CONSULT: 'Alleen consultatie en advies', SCHEDULE_OVERLEG: 'Overleg plannen',
  RECORD_OVERLEG: 'Overleg vastleggen', ISSUE_ADVICE: 'Advies geven', SET_BRIDGING_PLAN: 'Overbruggingsplan vastleggen',
  REPORT_PROGRESS: 'Voortgang melden', REQUEST_REASSESSMENT: 'Herbeoordeling vragen', ESCALATE: 'Opschalen',
  RECORD_ESCALATION_OUTCOME: 'Uitkomst van de opschaling vastleggen', UPDATE_HELP_ITEM: 'Hulponderdeel bijwerken',
  WITHDRAW: 'Intrekken', CLOSE: 'Afsluiten', ADD_NOTE: 'Notitie toevoegen', UPDATE_CONSENT: 'Toestemming wijzigen',
  UPDATE_SCHOOL: 'Schoolsituatie wijzigen', UPDATE_COMMITMENT: 'Afspraak afhandelen',
  ASSIGN: 'Procesregisseur toewijzen',
};

/**
 * What waits on a case (src/cases/waiting.ts, §6.3), as mijn werk says it: the step, not its
 * content. A mail may use these words too: they name no one and hold nothing of the file.
 */
export const WAITING_LABELS: Record<string, string> = {
  question: 'Een vraag van het expertteam beantwoorden',
  help_items: 'Melden of de hulp is gestart',
  checkpoint: 'Voortgang melden (controlemoment)',
  commitment: 'Een afspraak van uw organisatie nakomen',
  triage: 'Triage starten',
  triage_decision: 'Triagebesluit nemen',
  overleg_planning: 'Overleg plannen',
  overleg_record: 'Overleg vastleggen',
  advice: 'Advies geven',
  bridging_plan: 'Overbruggingsplan vastleggen',
  escalation_outcome: 'Uitkomst van de opschaling vastleggen',
};

/** How a closed case ended (closedAs, §6.1): what the console shows instead of "Afgesloten". */
export const CLOSED_AS_LABELS: Record<string, string> = {
  declined: 'Afgewezen', consulted: 'Consultatie gegeven', withdrawn: 'Ingetrokken',
  help_in_place: 'Afgesloten: hulp is gestart', no_longer_needed: 'Afgesloten: niet meer nodig',
  other: 'Afgesloten: anders', escalated: 'Afgesloten met een opschaling (eerdere werkwijze)',
};

/** What a line of the access log records (NEN 7513). */
export const ACCESS_LABELS: Record<string, string> = {
  'case.read': 'Casus gelezen', 'case.list': 'In een lijst', 'trail.read': 'Verloop gelezen',
  'trail.export': 'Verloop geëxporteerd', 'report.read': 'Signalering', 'access_log.read': 'Toegangslog gelezen',
  'audit.verify': 'Logboek gecontroleerd', 'purpose.missing': 'Zonder doel', 'notifications.read': 'Meldingen gelezen',
};

export const ROLE_LABELS: Record<string, string> = {
  local_team: 'Lokaal team', expert_team: 'Expertteam', inspector: 'Inspectie', admin: 'Beheer',
  municipality: 'Gemeente', provider: 'Aanbieder',
  system: 'Systeem', operator: 'Beheerder',
};

export const LABELS: Record<string, string> = {
  // who brought the case in
  professional: 'Professional', parent: 'Ouder', youth: 'Jongere',
  // how a change of consent reached the team
  in_writing: 'Schriftelijk', in_person: 'Mondeling', by_phone: 'Telefonisch', via_referrer: 'Via de verwijzer',
  // problem areas
  mental_health: 'Psychische problemen', disability: 'Beperking', development: 'Ontwikkeling',
  education: 'Onderwijs', family: 'Gezin', safety: 'Veiligheid', addiction: 'Verslaving',
  justice: 'Justitie', housing: 'Wonen', other: 'Overig',
  // decisions and closing
  accepted: 'Aangenomen', declined: 'Afgewezen', consultation_only: 'Alleen consultatie',
  escalated: 'Opgeschaald', withdrawn: 'Ingetrokken', closed: 'Afgesloten na monitoren',
  help_in_place: 'Hulp is gestart', no_longer_needed: 'Niet meer nodig',
  fits: 'Past', partly: 'Past deels', does_not_fit: 'Past niet', not_asked: 'Niet gevraagd',
  // lifecycle states
  submitted: 'Aangemeld', triage: 'Triage', awaiting_information: 'Wacht op informatie',
  planning_overleg: 'Overleg wordt gepland', overleg_scheduled: 'Overleg gepland',
  advising: 'Advies in voorbereiding', bridging: 'Overbrugging', follow_up: 'Monitoren',
  // school
  attending: 'Gaat naar school', partial: 'Gaat deels naar school',
  not_attending: 'Gaat niet naar school', not_applicable: 'Niet van toepassing',
  more_than_3_months: 'Langer dan 3 maanden', up_to_3_months: 'Hooguit 3 maanden',
  outside_school_age: 'Niet leerplichtig (jonger dan 5 of ouder dan 17)',
  unknown: 'Onbekend',
  // why youth or parents were not involved (safety and other have their labels above)
  refused: 'Wilde niet', unreachable: 'Niet bereikbaar', capacity: 'Kon niet (belastbaarheid)',
  // disruptions (verstoringen)
  organisational: 'Organisatorisch', legal: 'Juridisch', content: 'Inhoudelijk', conflict: 'Conflict',
  // deadlines (triage has its label above)
  overleg: 'Overleg', advice: 'Advies na het overleg', checkpoint: 'Controlemoment', reassessment: 'Herbeoordeling',
  bridging_review: 'Evaluatie overbruggingsplan', escalation: 'Antwoord op opschaling', commitment: 'Afspraak',
  // commitments (§6.1)
  done: 'Nagekomen', not_done: 'Niet nagekomen', open: 'Open', overleg_source: 'Overleg', escalation_source: 'Opschaling',
  // help item statuses (§5.2)
  advised: 'Geadviseerd', arranged: 'Geregeld (besluit of toewijzing)', started: 'Gestart', not_started: 'Niet gestart', stopped: 'Gestopt',
  // escalations (§5.3)
  ben: 'Bovenregionaal expertisenetwerk (BEN)', municipality_mandate: 'Doorzettingsmacht gemeente',
  in_time: 'Beantwoord binnen de termijn', late: 'Beantwoord na de termijn', unanswered: 'Nog niet beantwoord',
};

export const LEAD_TIME_LABELS = {
  submissionToTriageDecision: 'Aanmelding → triagebesluit',
  acceptanceToOverleg: 'Aanname → overleg',
  overlegToAdvice: 'Overleg → advies',
  adviceToHelpStarted: 'Advies → start van de hulp',
} as const;

const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus',
  'september', 'oktober', 'november', 'december'];

export const label = (key: string): string => LABELS[key] ?? key;

/** 2026-03-31 → 31 maart 2026 */
export function dutchDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** 0.667 → 66,7% */
export const percent = (share: number): string => `${(share * 100).toFixed(1).replace('.', ',')}%`;

/** 12.5 → 12,5 */
export const decimal = (value: number): string => value.toFixed(1).replace('.', ',');

const UNITS: readonly (readonly [string, string, string])[] = [
  ['Y', 'jaar', 'jaar'], ['M', 'maand', 'maanden'], ['W', 'week', 'weken'], ['D', 'dag', 'dagen'],
  ['H', 'uur', 'uur'], ['m', 'minuut', 'minuten'], ['S', 'seconde', 'seconden'],
];

/**
 * An ISO 8601 duration in the words people use: P3M → 3 maanden, P1Y6M → 1 jaar en 6 maanden,
 * PT36H → 36 uur. What is not such a duration shows as itself.
 */
export function durationNl(iso: string): string {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!match || iso === 'P' || iso.endsWith('T')) return iso;
  const parts = UNITS.flatMap(([, one, many], i) => {
    const n = match[i + 1] === undefined ? undefined : Number(match[i + 1]);
    return n === undefined || n === 0 ? [] : [`${n} ${n === 1 ? one : many}`];
  });
  if (parts.length === 0) return 'geen';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} en ${parts.at(-1)}`;
}

/** The kinds of help of the offers register (§6.4). */
export const OFFER_KIND_LABELS: Record<string, string> = {
  ambulant: 'Ambulante hulp', dagbehandeling: 'Dagbehandeling', verblijf: 'Verblijf', pleegzorg: 'Pleegzorg',
  ggz_behandeling: 'Ggz-behandeling', onderwijs_zorg: 'Onderwijs-zorgarrangement', other: 'Ander aanbod',
  unspecified: 'Soort niet genoemd',
};

/** Who reported a waiting time of the register. */
export const WAITING_TIME_SOURCE_LABELS: Record<string, string> = { provider: 'Aanbieder', region: 'Regio (beheer)' };

/** The number of weeks in words: "1 week", "9 weken". */
export const weeksNl = (weeks: number): string => `${String(weeks).replace('.', ',')} ${weeks === 1 ? 'week' : 'weken'}`;
