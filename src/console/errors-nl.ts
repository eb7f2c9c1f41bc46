/**
 * The service's refusals in plain Dutch, for the console: a sentence per error code, and the
 * reasons per field shown next to the field they concern.
 */
import { AppError, type ErrorCode } from '../errors.ts';
import { rulesBroken } from '../../machines/referral.ts';
import { RULE_CODES } from '../../machines/referral.rules.ts';
import { EVENT_SCHEMAS, needsGuardianOrganisation, type EventType } from '../../machines/referral.schemas.ts';
import type { CaseRecord } from '../../machines/referral.types.ts';
import { explains } from '../../machines/referral.text.ts';
import { dutchDate } from '../http/labels-nl.ts';
import type { FieldErrors } from './form.ts';

const NL: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Niet alles is goed ingevuld. Kijk bij de velden die rood gemarkeerd zijn.',
  PURPOSE_REQUIRED: 'Noem eerst het doel van uw inzage.',
  PERIOD_NOT_WHOLE_MONTHS: 'Een signalering gaat over hele kalendermaanden.',
  UNAUTHENTICATED: 'U bent niet (meer) ingelogd.',
  FORBIDDEN: 'Dit mag u met uw rol niet doen.',
  NOT_FOUND: 'Deze pagina of casus bestaat niet, of u mag hem niet zien.',
  EVENT_NOT_ALLOWED: 'Deze stap past niet bij de status van de casus.',
  VERSION_MISMATCH: 'Iemand anders heeft de casus intussen gewijzigd. Bekijk de nieuwe stand en probeer het opnieuw.',
  GONE: 'De inhoud van dit dossier is vernietigd (bewaartermijn verstreken of wettelijke plicht).',
  PAYLOAD_TOO_LARGE: 'Het formulier is te groot.',
  UNSUPPORTED_MEDIA_TYPE: 'Dit formulier kan niet worden gelezen.',
  TOO_MANY_REQUESTS: 'Te veel verzoeken achter elkaar. Probeer het over een minuut opnieuw.',
  HEADERS_TOO_LARGE: 'Het verzoek is te groot.',
  NOT_ACCEPTABLE: 'Deze vorm is niet beschikbaar.',
  CONSENT_REQUIRED: 'De toestemming die de wet bij deze leeftijd vraagt ontbreekt. Leg toestemming vast, of de grondslag om zonder te werken.',
  PARTICIPATION_REASON_REQUIRED: 'Jongere en ouders horen mee te doen. Doen zij dat niet, noem dan de reden.',
  FIT_RATIONALE_REQUIRED: 'Schrijf bij elk hulponderdeel waarom het bij de vraag past.',
  FUNDER_REQUIRED: 'Maatwerk heeft een financiering nodig: noem wet en financier.',
  AGE_OUT_OF_RANGE: 'De leeftijd past niet: jonger dan 0 of ouder dan 22, of 18 of ouder zonder verlengde jeugdhulp.',
  UNKNOWN_MUNICIPALITY: 'Deze gemeente bestond niet op de dag van aanmelding.',
  MUNICIPALITY_NOT_IN_REGION: 'Deze gemeente hoort niet bij uw regio.',
  DATE_ORDER: 'Een datum klopt niet met de volgorde van de stappen.',
  UNKNOWN_HELP_ITEM: 'Dit hulponderdeel hoort niet bij het huidige advies.',
  REASON_REQUIRED: 'Leg uit in een paar woorden (minstens 10 tekens, met letters): "." of "ok" zegt niets.',
  HELP_ITEM_STATUS_ORDER: 'Deze stand kan niet volgen op de huidige stand van het hulponderdeel.',
  HELP_NOT_STARTED: 'Afsluiten met "hulp is gestart" kan pas als alle hulponderdelen gestart zijn.',
  FOLLOW_UP_REQUIRED: 'Meld eerst de voortgang of de stand van de hulp na het advies.',
  ESCALATION_OPEN: 'De opschaling staat nog open. Leg eerst de uitkomst vast, of trek de opschaling in en zeg waarom.',
  COMMITMENT_OPEN: 'Er staat nog een afspraak open. Meld eerst of die is nagekomen.',
  UNKNOWN_COMMITMENT: 'Deze afspraak hoort niet bij de casus.',
  COMMITMENT_SETTLED: 'Deze afspraak is al afgehandeld.',
  IDEMPOTENCY_KEY_REUSED: 'Dit verzoek is al eens met andere inhoud gedaan.',
  UNKNOWN_OFFER: 'Dit aanbod staat niet in het aanbodregister van uw regio.',
  WAITING_TIME_UNKNOWN: 'Voor dit aanbod is nog geen wachttijd gemeld: vul zelf een wachttijd in.',
  UNKNOWN_PERSON: 'Een procesregisseur is een actieve medewerker van het expertteam van de regio van de casus. Kies iemand uit de lijst.',
  INTERNAL_ERROR: 'Er ging aan onze kant iets mis. Probeer het later opnieuw.',
};

export const problemNl = (code: ErrorCode): string => NL[code];

/** Where a rule without a field of its own shows its error. */
const RULE_FIELD: Partial<Record<ErrorCode, string>> = {
  CONSENT_REQUIRED: 'consent.legalGround',
  FIT_RATIONALE_REQUIRED: 'helpItems',
  FUNDER_REQUIRED: 'helpItems',
  REASON_REQUIRED: 'reason',
  UNKNOWN_HELP_ITEM: 'itemId',
  UNKNOWN_COMMITMENT: 'commitmentId',
  COMMITMENT_SETTLED: 'commitmentId',
  ESCALATION_OPEN: 'escalationWithdrawn.reason',
  HELP_ITEM_STATUS_ORDER: 'status',
};

/** A reason of the service in Dutch; a reason we do not know in Dutch gets a general sentence. */
function reasonNl(reason: string): string {
  if (/^not an active expert-team person/.test(reason)) return 'Kies een actieve medewerker van het expertteam van deze regio.';
  if (/^must explain/.test(reason)) return 'Leg dit uit in minstens 10 tekens, met letters.';
  const after = /must not be after today \((\d{4}-\d{2}-\d{2})\)/.exec(reason);
  if (after) return `Deze datum ligt in de toekomst: hij mag niet na vandaag (${dutchDate(after[1]!)}) liggen.`;
  const before = /must not be before (.*?)\((\d{4}-\d{2}-\d{2})\)/.exec(reason);
  if (before) return `Mag niet vóór ${dutchDate(before[2]!)} liggen.`;
  const consent = /^consent of the (youth|parents) is required at age ([\d or]+), or a legal ground$/.exec(reason);
  if (consent) {
    return `De toestemming van ${consent[1] === 'youth' ? 'de jongere' : 'de ouders (of voogd)'} is nodig: de jongere is ` +
      `${consent[2]!.replace(/ or /g, ' of ')} jaar. Leg die toestemming vast, of de grondslag om zonder te werken.`;
  }
  if (/expected array to have >=1/.test(reason)) return 'Kies er ten minste één.';
  if (/received undefined|required|Too small/i.test(reason)) return 'Vul dit in.';
  if (/YYYY-MM-DD|date/i.test(reason)) return 'Vul een geldige datum in.';
  if (/exactly one of birthMonth/.test(reason)) return 'Vul de geboortemaand in.';
  if (/CBS|municipality|region/i.test(reason)) return 'Kies een gemeente van uw regio.';
  if (/age/i.test(reason)) return 'De leeftijd past niet bij de regels.';
  return 'Deze waarde klopt niet.';
}

/** The refusal's errors per field, in Dutch, with the general sentence under `''`. */
export function fieldErrorsOf(error: AppError): FieldErrors {
  const errors: FieldErrors = { '': NL[error.code] };
  for (const p of error.extensions.invalidParams ?? []) {
    if (p.name !== '(body)') errors[p.name] = reasonNl(p.reason);
  }
  const ruleField = RULE_FIELD[error.code];
  if (ruleField !== undefined && Object.keys(errors).length === 1) errors[ruleField] = NL[error.code];
  if (error.code === 'PARTICIPATION_REASON_REQUIRED') {
    errors['youth.reason'] = NL[error.code];
    errors['parents.reason'] = NL[error.code];
  }
  return errors;
}

type Body = Record<string, unknown>;
const list = (value: unknown): Body[] => (Array.isArray(value) ? value.filter((v): v is Body => typeof v === 'object' && v !== null) : []);

/**
 * A rule's refusal named at the fields it concerns, from the body the form sent (§6.2: which help
 * item lacks a fit rationale or a funder, who was not involved without a reason). The engine names
 * only the rule; the console knows the rows.
 */
export function ruleErrorsOf(error: AppError, body: Body,
  subject?: { authority?: string; protectionMeasure?: string }): FieldErrors {
  const errors = fieldErrorsOf(error);
  const items = list(body.helpItems);
  const row = (i: number) => `Hulponderdeel ${i + 1}`;
  if (error.code === 'FIT_RATIONALE_REQUIRED') {
    items.forEach((item, i) => {
      if (!explains(typeof item.fitRationale === 'string' ? item.fitRationale : undefined)) {
        errors[`helpItems.${i}.fitRationale`] = `${row(i)} mist een onderbouwing: schrijf waarom het bij de vraag past (minstens 10 tekens, met letters).`;
      }
    });
  }
  if (error.code === 'FUNDER_REQUIRED') {
    items.forEach((item, i) => {
      const funded = list(item.financing).some((f) => typeof f.funder === 'string' && f.funder.trim() !== '');
      if (item.kind === 'custom_arrangement' && !funded) {
        errors[`helpItems.${i}.financing`] = `${row(i)} is maatwerk zonder financier: noem de wet en wie het betaalt.`;
      }
    });
  }
  if (error.code === 'PARTICIPATION_REASON_REQUIRED' && 'participants' in body) {
    // Planning: who is neither invited nor named with a reason; the GI with a guardian or a measure.
    const roles = subject && needsGuardianOrganisation(subject) ? ['youth', 'parents', 'guardian'] : ['youth', 'parents'];
    const names: Record<string, string> = { youth: 'de jongere', parents: 'de ouders', guardian: 'de gecertificeerde instelling (GI)' };
    const invited = new Set(list(body.participants).map((p) => p.role));
    const excused = new Set(list(body.notInvited).filter((n) => {
      const reason = n.reason as Body | undefined;
      return typeof reason?.code === 'string' && (reason.code !== 'other' || explains(reason.explanation as string | undefined));
    }).map((n) => n.role));
    const missing = roles.filter((r) => !invited.has(r) && !excused.has(r));
    delete errors['youth.reason'];
    delete errors['parents.reason'];
    if (missing.length > 0) {
      errors.notInvited = `Niet uitgenodigd zonder reden: ${missing.map((r) => names[r]).join(', ')}. Nodig uit, of noem hier de reden.`;
    }
  } else if (error.code === 'PARTICIPATION_REASON_REQUIRED') {
    for (const [who, name] of [['youth', 'De jongere'], ['parents', 'De ouders']] as const) {
      const part = body[who] as Body | undefined;
      if (part?.participation === 'not_involved') {
        errors[`${who}.reason`] = `${name} ${who === 'youth' ? 'was' : 'waren'} niet betrokken: noem de reden.`;
      } else {
        delete errors[`${who}.reason`];
      }
    }
  }
  // A field named now makes the general field of the rule superfluous.
  if (Object.keys(errors).some((k) => k.startsWith('helpItems.'))) delete errors.helpItems;
  return errors;
}

/**
 * Errors in one round on an event form (§6.2): the engine refuses with the first rule the event
 * breaks; the form lists every rule it breaks (`rulesBroken`, pure, in machines/), each named at
 * its field as `ruleErrorsOf` names one. The event is parsed and stamped as the engine would.
 * A body with schema errors (400) gets them all, and beside them every rule the valid part breaks:
 * the fields in error are left out, and the rules run on the rest when it parses without them
 * (a required field in error leaves the rules to the next round).
 */
export function ruleErrorsInOneRound(error: AppError, type: EventType, body: Body, record: CaseRecord,
  machineVersion: string, now: Date): FieldErrors {
  const subject = record.submission.subject;
  const first = ruleErrorsOf(error, body, subject);
  if (error.code === 'VALIDATION_FAILED') return withRulesOfTheRest(first, error, type, body, record, machineVersion, now);
  if (!(RULE_CODES as readonly string[]).includes(error.code)) return first;
  const parsed = EVENT_SCHEMAS[type].safeParse({ ...body, type });
  if (!parsed.success) return first;
  const breaches = breachesOf(parsed.data, record, machineVersion, now);
  if (breaches.length <= 1) return first;
  return errorsOfBreaches(breaches, body, subject);
}

type Breaches = ReturnType<typeof rulesBroken>;

function breachesOf(data: unknown, record: CaseRecord, machineVersion: string, now: Date): Breaches {
  return rulesBroken({ ...(data as object), at: now.toISOString() } as Parameters<typeof rulesBroken>[0], record, machineVersion);
}

/** The schema errors of a 400, and the rules broken by what is valid in the body (see above). */
function withRulesOfTheRest(schemaErrors: FieldErrors, error: AppError, type: EventType, body: Body, record: CaseRecord,
  machineVersion: string, now: Date): FieldErrors {
  const wrong = new Set((error.extensions.invalidParams ?? []).map((p) => p.name.split('.')[0]!));
  if (wrong.size === 0 || wrong.has('(body)') || wrong.has('type')) return schemaErrors;
  const rest = Object.fromEntries(Object.entries(body).filter(([key]) => !wrong.has(key)));
  const parsed = EVENT_SCHEMAS[type].safeParse({ ...rest, type });
  if (!parsed.success) return schemaErrors;
  const breaches = breachesOf(parsed.data, record, machineVersion, now)
    .filter(({ breach }) => breach === undefined || !wrong.has(breach.field.split('.')[0]!));
  if (breaches.length === 0) return schemaErrors;
  const rules = errorsOfBreaches(breaches, rest, record.submission.subject);
  const errors: FieldErrors = { ...rules, ...schemaErrors };
  errors[''] = [schemaErrors[''], rules['']].filter(Boolean).join(' ');
  return errors;
}

/** Each breach named at its field (a rule without one in the general message), as `ruleErrorsOf` names one. */
function errorsOfBreaches(breaches: Breaches, body: Body, subject: CaseRecord['submission']['subject']): FieldErrors {
  const errors: FieldErrors = {};
  const general = new Set<string>();
  for (const { code, breach } of breaches) {
    const one = ruleErrorsOf(new AppError(code, breach ? `${breach.field} ${breach.reason}` : code,
      breach ? { invalidParams: [{ name: breach.field, reason: breach.reason }] } : {}), body, subject);
    for (const [field, text] of Object.entries(one)) {
      if (field === '') general.add(text);
      else if (errors[field] === undefined) errors[field] = text;
    }
  }
  if (Object.keys(errors).some((k) => k.startsWith('helpItems.'))) delete errors.helpItems;
  errors[''] = [...general].join(' ');
  return errors;
}
