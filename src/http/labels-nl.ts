/** Dutch labels for the printable report: the words of the expert teams, not the API's keys. */

export const LABELS: Record<string, string> = {
  // who brought the case in
  professional: 'Professional', parent: 'Ouder', youth: 'Jongere',
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
  not_attending: 'Thuiszitter (gaat niet naar school)', not_applicable: 'Niet van toepassing',
  more_than_3_months: 'Langer dan 3 maanden', up_to_3_months: 'Hooguit 3 maanden',
  outside_school_age: 'Niet leerplichtig (jonger dan 5 of ouder dan 17)',
  unknown: 'Onbekend',
  // why youth or parents were not involved (safety and other have their labels above)
  refused: 'Wilde niet', unreachable: 'Niet bereikbaar', capacity: 'Kon niet (belastbaarheid)',
  // disruptions (verstoringen)
  organisational: 'Organisatorisch', legal: 'Juridisch', content: 'Inhoudelijk', conflict: 'Conflict',
  // deadlines (triage has its label above)
  overleg: 'Overleg', checkpoint: 'Controlemoment', reassessment: 'Herbeoordeling',
  bridging_review: 'Evaluatie overbruggingsplan', escalation: 'Antwoord op opschaling',
  // help item statuses (§5.2)
  arranged: 'Geregeld (besluit of toewijzing)', started: 'Gestart', not_started: 'Niet gestart', stopped: 'Gestopt',
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
