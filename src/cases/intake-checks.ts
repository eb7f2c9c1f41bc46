/**
 * The checks a submission passes before it becomes a case (DESIGN §5.1), in this order: the
 * youth's possible ages, the municipality (in force on the day, and one of the region's), dates
 * in order, and consent for every possible age. Each answers with its own 422 code.
 *
 * A submission the schema refuses is also checked against every rule whose inputs are valid, so
 * that a form can show all that is wrong in one round (§6.2): see `ruleParamsOfParts`.
 */
import { ageInRange, consentHolds, schoolDateBreach } from '../../machines/referral.rules.ts';
import { consentPartiesFor, possibleAges } from '../../machines/referral.age.ts';
import { municipalityInForce } from '../../machines/referral.municipalities.ts';
import { CaseSubmissionSchema, type CaseSubmission } from '../../machines/referral.schemas.ts';
import { AppError, type InvalidParam } from '../errors.ts';

/** The inputs of the intake rules; a rule runs only when all of its inputs are there. */
interface Parts {
  subject?: CaseSubmission['subject'];
  consent?: CaseSubmission['consent'];
  school?: CaseSubmission['school'];
}

/** Every rule the parts break, in the order of §5.1. */
function breaches(parts: Parts, at: string, regionMunicipalities: readonly string[] | null): AppError[] {
  const { subject, consent, school } = parts;
  const found: AppError[] = [];
  if (subject && !ageInRange(subject, at)) {
    found.push(new AppError('AGE_OUT_OF_RANGE',
      'the youth may be younger than 0 or older than 22 on the submission day, or 18 or older without extendedCare',
      { invalidParams: [{ name: subject.birthMonth ? 'subject.birthMonth' : 'subject.birthYear', reason: 'age out of range' }] }));
  }
  if (subject && !municipalityInForce(subject.municipalityCode, at)) {
    found.push(new AppError('UNKNOWN_MUNICIPALITY', 'the municipality code is not in force on the submission day',
      { invalidParams: [{ name: 'subject.municipalityCode', reason: 'not a municipality in force (CBS)' }] }));
  } else if (subject && regionMunicipalities && !regionMunicipalities.includes(subject.municipalityCode)) {
    found.push(new AppError('MUNICIPALITY_NOT_IN_REGION', 'the municipality is not one of this region\'s',
      { invalidParams: [{ name: 'subject.municipalityCode', reason: 'not in the region\'s municipality list' }] }));
  }
  const breach = school && schoolDateBreach(school, at, 'school.notAttendingSince');
  if (breach) {
    found.push(new AppError('DATE_ORDER', `${breach.field} ${breach.reason}`,
      { invalidParams: [{ name: breach.field, reason: breach.reason }] }));
  }
  if (subject && consent && ageInRange(subject, at) && !consentHolds(consent, subject, at)) {
    found.push(new AppError('CONSENT_REQUIRED',
      'the consent that every possible age of the youth requires is missing and no legal ground is recorded'));
  }
  return found;
}

export function intakeBreach(
  submission: CaseSubmission, at: string, regionMunicipalities: readonly string[] | null,
): void {
  const [first] = breaches(submission, at, regionMunicipalities);
  if (first) throw first;
}

/** The consent rule's breach as fields: whose consent is missing, for which possible ages. */
function consentParams(parts: Parts, at: string): InvalidParam[] {
  const ages = possibleAges(parts.subject!, at);
  const missing = consentPartiesFor(ages).filter((p) => parts.consent![p] !== 'given');
  return missing.map((party) => ({
    name: `consent.${party}`,
    reason: `consent of the ${party === 'youth' ? 'youth' : 'parents'} is required at age ${ages.join(' or ')}, or a legal ground`,
  }));
}

/**
 * For a body the schema refused: each intake rule whose inputs the schema accepts, run on those
 * parts, its breach as invalid params (the schema's own errors are not repeated here).
 */
export function ruleParamsOfParts(body: unknown, at: string, regionMunicipalities: readonly string[] | null): InvalidParam[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const shape = CaseSubmissionSchema.shape;
  const part = <K extends keyof Parts>(key: K): Parts[K] | undefined => {
    const parsed = shape[key].safeParse((body as Record<string, unknown>)[key]);
    return parsed.success ? parsed.data as Parts[K] : undefined;
  };
  const parts: Parts = { subject: part('subject'), consent: part('consent'), school: part('school') };
  return breaches(parts, at, regionMunicipalities).flatMap((e) =>
    e.code === 'CONSENT_REQUIRED' ? consentParams(parts, at) : e.extensions.invalidParams ?? []);
}
