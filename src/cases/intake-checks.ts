/**
 * The checks a submission passes before it becomes a case (DESIGN §5.1), in this order: the
 * youth's possible ages, the municipality (in force on the day, and one of the region's), dates
 * in order, and consent for every possible age. Each answers with its own 422 code.
 */
import { ageInRange, consentHolds, schoolDateBreach } from '../../machines/referral.rules.ts';
import { municipalityInForce } from '../../machines/referral.municipalities.ts';
import type { CaseSubmission } from '../../machines/referral.schemas.ts';
import { AppError } from '../errors.ts';

export function intakeBreach(
  submission: CaseSubmission, at: string, regionMunicipalities: readonly string[] | null,
): void {
  const { subject, consent, school } = submission;
  if (!ageInRange(subject, at)) {
    throw new AppError('AGE_OUT_OF_RANGE',
      'the youth may be younger than 0 or older than 22 on the submission day, or 18 or older without extendedCare',
      { invalidParams: [{ name: subject.birthMonth ? 'subject.birthMonth' : 'subject.birthYear', reason: 'age out of range' }] });
  }
  if (!municipalityInForce(subject.municipalityCode, at)) {
    throw new AppError('UNKNOWN_MUNICIPALITY', 'the municipality code is not in force on the submission day',
      { invalidParams: [{ name: 'subject.municipalityCode', reason: 'not a municipality in force (CBS)' }] });
  }
  if (regionMunicipalities && !regionMunicipalities.includes(subject.municipalityCode)) {
    throw new AppError('MUNICIPALITY_NOT_IN_REGION', 'the municipality is not one of this region\'s',
      { invalidParams: [{ name: 'subject.municipalityCode', reason: 'not in the region\'s municipality list' }] });
  }
  const breach = schoolDateBreach(school, at, 'school.notAttendingSince');
  if (breach) {
    throw new AppError('DATE_ORDER', `${breach.field} ${breach.reason}`,
      { invalidParams: [{ name: breach.field, reason: breach.reason }] });
  }
  if (!consentHolds(consent, subject, at)) {
    throw new AppError('CONSENT_REQUIRED',
      'the consent that every possible age of the youth requires is missing and no legal ground is recorded');
  }
}
