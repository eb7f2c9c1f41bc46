/**
 * The service's refusals in plain Dutch, for the console: a sentence per error code, and the
 * reasons per field shown next to the field they concern.
 */
import { AppError, type ErrorCode } from '../errors.ts';
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
  if (/^must explain/.test(reason)) return 'Leg dit uit in minstens 10 tekens, met letters.';
  const after = /must not be after today \(([\d-]+)\)/.exec(reason);
  if (after) return `Mag niet na vandaag (${after[1]}) liggen.`;
  const before = /must not be before (.*?)\(([\d-]+)\)/.exec(reason);
  if (before) return `Mag niet vóór ${before[2]} liggen.`;
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
