/**
 * The console's forms in plain Dutch: the aanmelding and one form per event type, each field named
 * by the path of the API body it fills (machines/referral.schemas.ts). Help texts say what the
 * inspectorate asks for, in the words of the teams.
 */
import type { CaseRecord } from '../../machines/referral.types.ts';
import {
  CONSENT_SOURCES,
  DISRUPTIONS, isEventType, OFFER_KINDS, PROBLEM_AREAS, REASON_CODES, type EventType,
} from '../../machines/referral.schemas.ts';
import { openEscalation } from '../../machines/referral.rules.ts';
import { label, OFFER_KIND_LABELS } from '../http/labels-nl.ts';
import type { Field, FormValues, Options } from './form.ts';

const CONSENT: Options = [['given', 'Gegeven'], ['refused', 'Geweigerd'], ['not_asked', 'Niet gevraagd']];
const FAMILY: Options = [['agrees', 'Eens'], ['partly', 'Deels eens'], ['disagrees', 'Oneens'], ['not_asked', 'Niet gevraagd']];
/** Options whose words the report uses too: from the one set of labels. */
const labelled = (values: readonly string[]): Options => values.map((v) => [v, label(v)] as const);
const REASON_CODE_OPTIONS: Options = labelled(REASON_CODES).map(([v, l]) => [v, v === 'other' ? 'Andere reden' : l] as const);
const LEGAL_BASES: Options = [
  ['consent', 'Toestemming'], ['statutory_task', 'Wettelijke taak'],
  ['child_protection_measure', 'Kinderbeschermingsmaatregel'], ['meldcode', 'Meldcode'], ['other', 'Anders'],
];
export const PROBLEM_AREA_OPTIONS: Options = labelled(PROBLEM_AREAS);
/** The kinds of help of the offers register (§6.4), in Dutch. */
export const OFFER_KIND_OPTIONS: Options = OFFER_KINDS.map((k) => [k, OFFER_KIND_LABELS[k] ?? k] as const);
const SCHOOL: Options = [
  ['attending', 'Gaat naar school'], ['partial', 'Gaat deels naar school'],
  ['not_attending', 'Gaat niet naar school'], ['not_applicable', 'Niet van toepassing'],
];
const LAWS: Options = [
  ['jeugdwet', 'Jeugdwet'], ['wmo', 'Wmo'], ['wlz', 'Wlz'], ['zvw', 'Zorgverzekeringswet'],
  ['onderwijs', 'Onderwijs'], ['other', 'Anders'],
];

const reason = (name: string, label: string): Field => ({
  kind: 'group', name, label, optional: true,
  hint: 'Verplicht als jongere of ouders niet betrokken zijn: waarom niet?',
  fields: [
    { kind: 'select', name: 'code', label: 'Reden', options: REASON_CODE_OPTIONS },
    { kind: 'textarea', name: 'explanation', label: 'Toelichting', hint: 'Verplicht bij "Andere reden".' },
  ],
});

const legalGround: Field = {
  kind: 'group', name: 'legalGround', label: 'Grondslag zonder toestemming', optional: true,
  hint: 'Alleen nodig als de toestemming die de wet vraagt ontbreekt: op welke grond werkt u toch?',
  fields: [
    { kind: 'select', name: 'basis', label: 'Grondslag', options: LEGAL_BASES },
    { kind: 'textarea', name: 'explanation', label: 'Toelichting' },
  ],
};

/** Who sits at the overleg, and how youth and parents took part: the form's words, the case page's too. */
export const PARTICIPANT_OPTIONS: Options = [
  ['youth', 'Jongere'], ['parents', 'Ouders'], ['guardian', 'Gecertificeerde instelling'], ['professional', 'Professional'],
];
export const PARTICIPATION_OPTIONS: Options = [
  ['present', 'Was aanwezig'], ['heard_beforehand', 'Vooraf gehoord'],
  ['represented', 'Vertegenwoordigd'], ['not_involved', 'Niet betrokken'],
];

/** Agreements made at the overleg or in an escalation's outcome (§6.1): each followed until settled. */
const commitments = (hint: string): Field => ({
  kind: 'rows', name: 'commitments', label: 'Afspraken', rowLabel: 'Afspraak', rows: 2, addMore: true, hint,
  fields: [
    { kind: 'text', name: 'organisation', label: 'Wie (organisatie)', required: true },
    { kind: 'textarea', name: 'action', label: 'Wat', required: true },
    { kind: 'date', name: 'dueAt', label: 'Uiterlijk op', hint: 'Niet vóór vandaag.', required: true },
  ],
});

/** With an ending while the escalation is open: withdraw it, and say why (§6.1). */
const escalationWithdrawn: Field = {
  kind: 'group', name: 'escalationWithdrawn', label: 'Opschaling intrekken', optional: true,
  hint: 'Alleen nodig als er nog een opschaling openstaat: waarom is die niet meer nodig?',
  fields: [{ kind: 'textarea', name: 'reason', label: 'Waarom niet meer nodig' }],
};

const findings: Field = {
  kind: 'group', name: 'findings', label: 'Bevindingen van de triage',
  fields: [
    { kind: 'checkbox', name: 'regularRoutesTried', label: 'De gewone routes zijn geprobeerd' },
    { kind: 'checkbox', name: 'questionClear', label: 'De hulpvraag is duidelijk' },
    { kind: 'checkbox', name: 'urgent', label: 'Het is dringend' },
  ],
};

const participation = (name: 'youth' | 'parents', label: string): Field => ({
  kind: 'group', name, label,
  fields: [
    { kind: 'select', name: 'participation', label: 'Betrokkenheid', required: true, options: PARTICIPATION_OPTIONS },
    reason('reason', 'Waarom niet betrokken'),
    { kind: 'textarea', name: 'wish', label: 'Wens of stem in eigen woorden' },
  ],
});

/** The aanmelding (DESIGN §5.1); `municipalities` are the region's (code, name). */
export function submissionForm(municipalities: Options): Field[] {
  return [
    { kind: 'group', name: 'referrer', label: 'Wie meldt aan', fields: [
      { kind: 'select', name: 'kind', label: 'Aanmelder', required: true, options: [
        ['professional', 'Een professional (lokaal team)'], ['parent', 'Een ouder'], ['youth', 'De jongere zelf'],
      ] },
      { kind: 'text', name: 'organisation', label: 'Organisatie van de aanmelder' },
    ] },
    { kind: 'group', name: 'subject', label: 'Over de jongere', hint: 'Geen naam: een eigen dossiernummer volstaat.', fields: [
      { kind: 'text', name: 'reference', label: 'Uw kenmerk (dossiernummer)', required: true,
        hint: 'Een kenmerk waarmee u de casus herkent, zonder naam of BSN.' },
      { kind: 'month', name: 'birthMonth', label: 'Geboortemaand', hint: 'Bijvoorbeeld 2012-05. Vul de maand in, of anders het jaar.' },
      { kind: 'number', name: 'birthYear', label: 'Geboortejaar', hint: 'Alleen als de maand niet bekend is.' },
      { kind: 'select', name: 'municipalityCode', label: 'Gemeente', required: true, options: municipalities },
      { kind: 'yesno', name: 'extendedCare', label: 'Verlengde jeugdhulp (18 jaar of ouder)' },
      { kind: 'select', name: 'authority', label: 'Gezag', required: true, options: [
        ['joint_parents', 'Beide ouders'], ['one_parent', 'Eén ouder'], ['guardian', 'Voogd'], ['unknown', 'Onbekend'],
      ] },
      { kind: 'select', name: 'protectionMeasure', label: 'Kinderbeschermingsmaatregel', required: true, options: [
        ['none', 'Geen'], ['ots', 'Ondertoezichtstelling (OTS)'], ['guardianship', 'Voogdij'], ['other', 'Anders'],
      ] },
      { kind: 'text', name: 'guardianOrganisation', label: 'Gecertificeerde instelling',
        hint: 'Verplicht bij een voogd, een OTS of voogdij.' },
    ] },
    { kind: 'group', name: 'consent', label: 'Toestemming', hint: 'Vanaf 16 jaar beslist de jongere zelf; van 12 tot 16 jaar de jongere én de ouders; onder 12 jaar de ouders.', fields: [
      { kind: 'select', name: 'youth', label: 'Toestemming van de jongere', required: true, options: CONSENT },
      { kind: 'select', name: 'parents', label: 'Toestemming van de ouders (of voogd)', required: true, options: CONSENT },
      legalGround,
    ] },
    { kind: 'group', name: 'requestForHelp', label: 'De hulpvraag', fields: [
      { kind: 'textarea', name: 'summary', label: 'Wat is de vraag?', required: true,
        hint: 'Beschrijf de vraag, niet het aanbod dat u zoekt.' },
      { kind: 'textarea', name: 'inWordsOfYouth', label: 'De vraag in de woorden van de jongere' },
      { kind: 'textarea', name: 'inWordsOfParents', label: 'De vraag in de woorden van de ouders' },
    ] },
    { kind: 'multi', name: 'problemAreas', label: 'Leefgebieden', hint: 'Kies er ten minste één.', options: PROBLEM_AREA_OPTIONS },
    { kind: 'textarea', name: 'triedSoFar', label: 'Wat is al geprobeerd?', required: true },
    { kind: 'group', name: 'school', label: 'School', fields: [
      { kind: 'select', name: 'status', label: 'Schoolsituatie', required: true, options: SCHOOL },
      { kind: 'date', name: 'notAttendingSince', label: 'Niet naar school sinds', hint: 'Verplicht als de jongere niet naar school gaat.' },
    ] },
    { kind: 'select', name: 'urgency', label: 'Urgentie', required: true, options: [['regular', 'Gewoon'], ['urgent', 'Spoed']] },
    { kind: 'checkbox', name: 'safetyConcern', label: 'Er zijn zorgen over de veiligheid' },
    { kind: 'group', name: 'safety', label: 'Veiligheid', optional: true, fields: [
      { kind: 'yesno', name: 'veiligThuis', label: 'Is Veilig Thuis betrokken?', hint: 'Verplicht bij zorgen over de veiligheid.' },
    ] },
  ];
}

/** The form of an event type on this case; the help items come from the case's advice. */
/** What some event forms offer to choose from, read by the page beforehand. */
export interface FormChoices {
  /** The region's offers (§6.4). */
  offers?: Options;
  /** The active expert-team people of the region (§6.3). */
  people?: Options;
}

/**
 * The form of an event. `choices`: the region's offers register (§6.4), for the help items of an
 * advice, and the people who may run the case (§6.3), for the triage and an assignment.
 */
export function eventForm(type: EventType, record: CaseRecord, choices: FormChoices = {}): Field[] {
  const { offers = [], people = [] } = choices;
  switch (type) {
    case 'START_TRIAGE':
      // §6.3: the regisseur is a person of the expert team (the free-text coordinator of old is
      // still taken from the API, not asked here).
      return [{ kind: 'select', name: 'regisseur', label: 'Procesregisseur', required: true, options: people,
        hint: 'Wie de casus regisseert: een medewerker van het expertteam van de regio. Dat bent u, tenzij u een ander kiest.' }];
    case 'ASSIGN':
      return [{ kind: 'select', name: 'userId', label: 'Procesregisseur', required: true, options: people,
        hint: 'Een medewerker van het expertteam van de regio. Die ziet de casus daarna onder Mijn werk.' }];
    case 'REQUEST_INFORMATION':
      return [{ kind: 'textarea', name: 'question', label: 'Vraag aan de aanmelder', required: true }];
    case 'PROVIDE_INFORMATION':
      return [{ kind: 'textarea', name: 'answer', label: 'Antwoord', required: true }];
    case 'ACCEPT':
      return [findings, { kind: 'textarea', name: 'rationale', label: 'Waarom neemt het expertteam de casus aan?', required: true }];
    case 'DECLINE':
      return [findings, { kind: 'textarea', name: 'reason', label: 'Waarom niet?', required: true },
        { kind: 'textarea', name: 'adviceToReferrer', label: 'Advies aan de aanmelder', required: true },
        ...(openEscalation(record) ? [escalationWithdrawn] : [])];
    case 'CONSULT':
      return [findings, { kind: 'textarea', name: 'advice', label: 'Advies', required: true },
        ...(openEscalation(record) ? [escalationWithdrawn] : [])];
    case 'SCHEDULE_OVERLEG':
      return [
        { kind: 'datetime', name: 'scheduledAt', label: 'Datum en tijd van het overleg', required: true },
        { kind: 'rows', name: 'participants', label: 'Deelnemers', rowLabel: 'Deelnemer', rows: 5, addMore: true,
          hint: 'Jongere en ouders horen aan tafel; wie niet komt, noemt u hieronder met de reden. Meer deelnemers? Voeg een regel toe.', fields: [
            { kind: 'select', name: 'role', label: 'Wie', options: PARTICIPANT_OPTIONS },
            { kind: 'text', name: 'organisation', label: 'Organisatie' },
            { kind: 'text', name: 'discipline', label: 'Discipline', hint: 'Bijvoorbeeld jeugdarts of gedragswetenschapper.' },
          ] },
        { kind: 'rows', name: 'notInvited', label: 'Niet uitgenodigd', rowLabel: 'Niet uitgenodigd', rows: 2, fields: [
          { kind: 'select', name: 'role', label: 'Wie', options: PARTICIPANT_OPTIONS.filter(([v]) => v !== 'professional') },
          reason('reason', 'Waarom niet'),
        ] },
        { kind: 'textarea', name: 'agenda', label: 'Agenda',
          hint: 'Wat aan tafel besproken wordt. Dit hoort bij het dossier: het staat niet in de agenda-uitnodiging (.ics) of in een e-mail.' },
      ];
    case 'RECORD_OVERLEG':
      return [
        { kind: 'datetime', name: 'heldAt', label: 'Gehouden op', required: true },
        participation('youth', 'De jongere'),
        participation('parents', 'De ouders'),
        { kind: 'rows', name: 'professionals', label: 'Professionals aan tafel', rowLabel: 'Professional', rows: 5, addMore: true,
          hint: 'Ingevuld met wie er was uitgenodigd: pas aan wie er echt was.', fields: [
            { kind: 'text', name: 'organisation', label: 'Organisatie', required: true },
            { kind: 'text', name: 'discipline', label: 'Discipline', required: true },
          ] },
        { kind: 'textarea', name: 'analysis', label: 'Analyse', required: true },
        { kind: 'multi', name: 'disruptions', label: 'Verstoringen', options: labelled(DISRUPTIONS) },
        commitments('Wat is aan tafel afgesproken, door wie en wanneer? Elke afspraak wordt gevolgd tot die is nagekomen.'),
      ];
    case 'ISSUE_ADVICE':
      return [
        { kind: 'textarea', name: 'summary', label: 'Het advies', required: true },
        { kind: 'rows', name: 'helpItems', label: 'Hulp die nodig is', rowLabel: 'Hulponderdeel', rows: 3,
          hint: 'Vertrek vanuit de vraag, niet vanuit het bestaande aanbod.', fields: [
            { kind: 'select', name: 'kind', label: 'Soort', options: [['existing_offer', 'Bestaand aanbod'], ['custom_arrangement', 'Maatwerk']] },
            { kind: 'textarea', name: 'description', label: 'Omschrijving', required: true },
            { kind: 'text', name: 'provider', label: 'Aanbieder' },
            { kind: 'textarea', name: 'fitRationale', label: 'Waarom past dit bij de vraag?', required: true },
            { kind: 'select', name: 'offerId', label: 'Aanbod uit het register', required: false, options: offers,
              hint: 'Kies het aanbod als het in het register staat: dan geldt de wachttijd uit het register.' },
            { kind: 'select', name: 'helpKind', label: 'Soort hulp', required: false, options: OFFER_KIND_OPTIONS,
              hint: 'Bij een aanbod uit het register: de soort van dat aanbod.' },
            { kind: 'number', name: 'waitingWeeks', label: 'Wachttijd in weken',
              hint: 'Niet nodig bij een aanbod uit het register met een gemelde wachttijd.' },
            { kind: 'select', name: 'waitingWeeksSource', label: 'Bron van de wachttijd', options: [
              ['provider', 'De aanbieder'], ['waiting_list', 'De wachtlijst'], ['estimate', 'Een schatting'],
            ] },
            { kind: 'textarea', name: 'noOfferBecause', label: 'Waarom past geen bestaand aanbod?',
              hint: 'Bij maatwerk verplicht: wat ontbreekt in het bestaande aanbod.' },
            { kind: 'text', name: 'responsibleOrganisation', label: 'Verantwoordelijke organisatie', required: true },
            { kind: 'rows', name: 'financing', label: 'Financiering', rowLabel: 'Financier', rows: 2,
              hint: 'Bij maatwerk verplicht: wet en financier.', fields: [
                { kind: 'select', name: 'law', label: 'Wet', options: LAWS },
                { kind: 'text', name: 'funder', label: 'Financier', hint: 'Bij maatwerk verplicht: wie betaalt.' },
              ] },
          ] },
        { kind: 'group', name: 'familyResponse', label: 'Wat vinden jongere en ouders van het advies?', fields: [
          { kind: 'select', name: 'youth', label: 'De jongere', required: true, options: FAMILY },
          { kind: 'select', name: 'parents', label: 'De ouders', required: true, options: FAMILY },
          { kind: 'textarea', name: 'notes', label: 'Toelichting' },
        ] },
      ];
    case 'SET_BRIDGING_PLAN':
      return [
        { kind: 'lines', name: 'measures', label: 'Maatregelen voor de wachttijd', hint: 'Eén maatregel per regel.' },
        { kind: 'text', name: 'responsibleOrganisation', label: 'Verantwoordelijke organisatie', required: true },
        { kind: 'date', name: 'reviewAt', label: 'Evaluatie op', required: true },
      ];
    case 'REPORT_PROGRESS':
      return [
        { kind: 'checkbox', name: 'helpStarted', label: 'De hulp is gestart', hint: 'Alleen als elk hulponderdeel is gestart. Leg de stand per onderdeel vast met "Hulponderdeel bijwerken".' },
        { kind: 'checkbox', name: 'onTrack', label: 'Het loopt volgens plan' },
        { kind: 'textarea', name: 'familyView', label: 'Hoe kijken jongere en ouders ertegen aan?' },
        { kind: 'textarea', name: 'notes', label: 'Toelichting' },
      ];
    case 'REQUEST_REASSESSMENT':
      return [{ kind: 'textarea', name: 'reason', label: 'Waarom opnieuw beoordelen?', required: true }];
    case 'ESCALATE':
      return [
        { kind: 'select', name: 'to', label: 'Naar', required: true, options: [
          ['ben', 'Bovenregionaal expertisenetwerk (BEN)'], ['municipality_mandate', 'Doorzettingsmacht van de gemeente'], ['other', 'Anders'],
        ] },
        { kind: 'text', name: 'target', label: 'Aan wie precies', required: true },
        { kind: 'textarea', name: 'question', label: 'Wat vraagt de regio?', required: true },
        { kind: 'textarea', name: 'reason', label: 'Waarom opschalen?', required: true },
      ];
    case 'RECORD_ESCALATION_OUTCOME':
      return [
        { kind: 'textarea', name: 'decision', label: 'Besluit', required: true },
        { kind: 'text', name: 'decidedBy', label: 'Besloten door', required: true },
        commitments('Wie doet wat, en wanneer? Elke afspraak wordt gevolgd tot die is nagekomen.'),
      ];
    case 'UPDATE_COMMITMENT':
      return [
        { kind: 'select', name: 'commitmentId', label: 'Afspraak', required: true,
          options: record.commitments.filter((c) => c.status === 'open')
            .map((c) => [c.id, `${c.organisation}: ${c.action}`.slice(0, 80)] as const) },
        { kind: 'select', name: 'status', label: 'Nagekomen?', required: true, options: [
          ['done', 'Ja, nagekomen'], ['not_done', 'Nee, niet nagekomen'],
        ] },
        { kind: 'date', name: 'date', label: 'Op', required: true },
        { kind: 'textarea', name: 'reason', label: 'Waarom niet', hint: 'Verplicht als de afspraak niet is nagekomen.' },
      ];
    case 'UPDATE_HELP_ITEM':
      return [
        { kind: 'select', name: 'itemId', label: 'Hulponderdeel', required: true,
          options: record.helpItems.map((i) => [i.id, i.description.slice(0, 80)] as const) },
        { kind: 'select', name: 'status', label: 'Nieuwe stand', required: true, options: [
          ['arranged', 'Geregeld (besluit of toewijzing)'], ['started', 'Gestart'], ['not_started', 'Niet gestart'], ['stopped', 'Gestopt'],
        ] },
        { kind: 'date', name: 'date', label: 'Sinds', required: true },
        { kind: 'textarea', name: 'reason', label: 'Reden', hint: 'Verplicht bij "niet gestart" en "gestopt".' },
        { kind: 'select', name: 'notStartedBecause', label: 'Waarom niet gestart?', required: false, options: [
          ['capacity', 'Geen plek bij de aanbieder'], ['family_choice', 'Keuze van jongere of ouders'],
          ['no_longer_needed', 'Niet meer nodig'], ['other', 'Andere reden'],
        ], hint: 'Alleen bij "niet gestart": telt mee in het overzicht van aanbod en wachttijden.' },
        { kind: 'group', name: 'decision', label: 'Besluit of toewijzing', optional: true, fields: [
          { kind: 'date', name: 'date', label: 'Datum' },
          { kind: 'text', name: 'by', label: 'Door' },
        ] },
      ];
    case 'WITHDRAW':
      return [{ kind: 'textarea', name: 'reason', label: 'Waarom intrekken?', required: true }];
    case 'CLOSE':
      return [
        { kind: 'select', name: 'outcome', label: 'Uitkomst', required: true, options: [
          ['help_in_place', 'De hulp is gestart'], ['no_longer_needed', 'Niet meer nodig'], ['other', 'Anders'],
        ] },
        { kind: 'select', name: 'familyViewOfFit', label: 'Past de hulp volgens jongere en ouders?', required: true, options: [
          ['fits', 'Past'], ['partly', 'Past deels'], ['does_not_fit', 'Past niet'], ['not_asked', 'Niet gevraagd'],
        ] },
        { kind: 'textarea', name: 'explanation', label: 'Toelichting op de uitkomst',
          hint: 'Verplicht bij "Niet meer nodig" en "Anders": hoe is het afgelopen?' },
        { kind: 'textarea', name: 'lessonsLearned', label: 'Wat leren we hiervan?' },
        ...(openEscalation(record) ? [escalationWithdrawn] : []),
      ];
    case 'ADD_NOTE':
      return [{ kind: 'textarea', name: 'text', label: 'Notitie', required: true }];
    case 'UPDATE_CONSENT':
      return [
        { kind: 'select', name: 'youth', label: 'Toestemming van de jongere', options: CONSENT },
        { kind: 'select', name: 'parents', label: 'Toestemming van de ouders (of voogd)', options: CONSENT },
        legalGround,
        { kind: 'select', name: 'source', label: 'Hoe kwam de wijziging binnen', options: labelled(CONSENT_SOURCES) },
        { kind: 'textarea', name: 'reason', label: 'Reden van de wijziging' },
      ];
    case 'UPDATE_SCHOOL':
      return [
        { kind: 'select', name: 'status', label: 'Schoolsituatie', required: true, options: SCHOOL },
        { kind: 'date', name: 'notAttendingSince', label: 'Niet naar school sinds' },
      ];
  }
}

/**
 * The professionals invited to the planned overleg (and the GI), as the values of the record's
 * form: who was asked to come is where the record starts (§6.3). Rows without an organisation or
 * discipline stay as given, for the team to complete.
 */
export function invitedProfessionals(record: Pick<CaseRecord, 'overlegSchedules'>): FormValues {
  const invited = (record.overlegSchedules.at(-1)?.participants ?? [])
    .filter((p) => (p.role === 'professional' || p.role === 'guardian') && (p.organisation ?? p.discipline) !== undefined);
  return Object.fromEntries(invited.flatMap((p, i) => [
    [`professionals.${i}.organisation`, p.organisation ?? ''],
    [`professionals.${i}.discipline`, p.discipline ?? ''],
  ]));
}

/** The fields whose labels name the members of a trail entry's payload (no case needed). */
export function entryFields(type: string | null): Field[] {
  if (type === 'SUBMIT') return submissionForm([]);
  if (!isEventType(type)) return [];
  return eventForm(type, { helpItems: [], commitments: [], escalations: [], escalationOutcomes: [] } as unknown as CaseRecord);
}
