/**
 * Every field of the contract is in its form: each fixture event (and a submission), with its
 * optional members filled in too, written into its console form as a browser would post it and
 * read back, is the same body the API would take. A field missing from a form, or read back
 * wrongly, fails here.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CaseSubmissionSchema, EVENT_SCHEMAS, EVENT_TYPES, type EventType } from '../../machines/referral.schemas.ts';
import type { CaseRecord } from '../../machines/referral.types.ts';
import { readForm, renderFields, type Field, type FormValues } from '../../src/console/form.ts';
import { eventForm, submissionForm } from '../../src/console/forms-nl.ts';
import { events, submission } from '../support/fixtures.ts';
import { recordOf } from '../../machines/referral.ts';
import { REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { AppError } from '../../src/errors.ts';
import { ruleErrorsInOneRound } from '../../src/console/errors-nl.ts';
import { driveTo } from '../machine/helpers.ts';

const ITEM = '00000000-0000-4000-8000-00000000a11a';
const COMMITMENT = '00000000-0000-4000-8000-0000000c0117';
/** A case with a help item, an open commitment and an open escalation: every form shows all its fields. */
const RECORD = {
  helpItems: [{ id: ITEM, description: 'Onderwijszorg' }],
  commitments: [{ id: COMMITMENT, organisation: 'Gemeente', action: 'Besluit nemen', status: 'open' }],
  escalations: [{ type: 'ESCALATE' }], escalationOutcomes: [],
} as unknown as CaseRecord;
const withdrawn = { escalationWithdrawn: { reason: 'De plek kwam toch vrij' } };
const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The form values a browser posts for this body: the inverse of readForm. */
function toFormValues(fields: readonly Field[], body: Record<string, unknown>, prefix = '', out: FormValues = {}): FormValues {
  for (const field of fields) {
    const value = body[field.name];
    const path = prefix + field.name;
    if (value === undefined) continue;
    switch (field.kind) {
      case 'group': toFormValues(field.fields, value as Record<string, unknown>, `${path}.`, out); break;
      case 'rows': (value as Record<string, unknown>[]).forEach((row, i) => toFormValues(field.fields, row, `${path}.${i}.`, out)); break;
      case 'multi': out[path] = value as string[]; break;
      case 'lines': out[path] = (Array.isArray(value) ? value : [value]).join('\n'); break;
      case 'checkbox': if (value === true) out[path] = 'ja'; break;
      case 'yesno': out[path] = value ? 'ja' : 'nee'; break;
      case 'datetime':
        out[path] = DateTime.fromISO(value as string).setZone('Europe/Amsterdam').toFormat("yyyy-MM-dd'T'HH:mm");
        break;
      default: out[path] = String(value);
    }
  }
  return out;
}

/** Moments compared as instants: the form gives Amsterdam time with an offset, the fixture UTC. */
function normalised(value: unknown): unknown {
  if (typeof value === 'string' && ISO_MOMENT.test(value)) return Date.parse(value);
  if (Array.isArray(value)) return value.map(normalised);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v)]));
  }
  return value;
}

/** Each event with its optional members given as well. */
const FULL: { [T in EventType]?: Record<string, unknown> } = {
  SCHEDULE_OVERLEG: { notInvited: [{ role: 'guardian', reason: { code: 'unreachable', explanation: 'Geen reactie' } }] },
  RECORD_OVERLEG: {
    parents: { participation: 'not_involved', reason: { code: 'refused', explanation: 'Wilde niet' }, wish: 'Rust' },
    // More commitments than the form shows at first: the rows grow with what is posted.
    commitments: [1, 2, 3].map((n) => ({ organisation: `Organisatie ${n}`, action: `Actie ${n}`, dueAt: '2026-02-0' + n })),
  },
  DECLINE: withdrawn,
  CONSULT: withdrawn,
  ISSUE_ADVICE: { familyResponse: { youth: 'agrees', parents: 'disagrees', notes: 'Ouders willen een andere school' } },
  REPORT_PROGRESS: { familyView: 'Tevreden', notes: 'Loopt' },
  RECORD_ESCALATION_OUTCOME: { commitments: [{ organisation: 'Gemeente', action: 'Betaalt', dueAt: '2026-02-01' }] },
  UPDATE_HELP_ITEM: { itemId: ITEM, status: 'not_started', reason: 'Geen plek', decision: { date: '2026-01-02', by: 'Gemeente' } },
  CLOSE: { outcome: 'other', lessonsLearned: 'Eerder opschalen', explanation: 'De jongere verhuisde naar het buitenland', ...withdrawn },
  UPDATE_COMMITMENT: { commitmentId: COMMITMENT, status: 'not_done', reason: 'Het besluit is uitgesteld' },
  UPDATE_CONSENT: { parents: 'refused', legalGround: { basis: 'statutory_task', explanation: 'Taak' } },
  UPDATE_SCHOOL: { status: 'not_attending', notAttendingSince: '2025-12-01' },
};

const REGISSEUR = '00000000-0000-4000-8000-00000000a551';

describe('the console\'s forms hold every field of the contract', () => {
  it.each(EVENT_TYPES)('%s: written into its form and read back, the same event', (type) => {
    const schema = EVENT_SCHEMAS[type];
    // START_TRIAGE: the form chooses the regisseur (§6.3); the free-text coordinator is the API's, kept for compatibility.
    const base = type === 'START_TRIAGE' ? { type, regisseur: REGISSEUR } : events[type]();
    const original = schema.parse({ ...base, ...FULL[type] } as never) as Record<string, unknown>;
    const fields = eventForm(type, RECORD, { people: [[REGISSEUR, 'Anna de Regisseur']] });
    const read = schema.parse({ type, ...readForm(fields, toFormValues(fields, original)) } as never);
    expect(normalised(read)).toEqual(normalised(original));
  });

  it('the aanmelding: written into the form and read back, the same submission', () => {
    for (const extra of [
      {},
      {
        subject: { reference: 'R-1', birthMonth: '2007-03', municipalityCode: 'GM0363', extendedCare: true,
          authority: 'guardian', guardianOrganisation: 'Jeugdbescherming', protectionMeasure: 'guardianship' },
        consent: { youth: 'refused', parents: 'not_asked', legalGround: { basis: 'child_protection_measure', explanation: 'Voogdij' } },
        safetyConcern: true, safety: { veiligThuis: false }, referrer: { kind: 'parent' },
      },
    ]) {
      const original = CaseSubmissionSchema.parse(submission(extra as never)) as Record<string, unknown>;
      const fields = submissionForm([['GM0363', 'Amsterdam']]);
      const read = CaseSubmissionSchema.parse(readForm(fields, toFormValues(fields, original)));
      expect(read).toEqual(original);
    }
  });
});

describe('the labels of the console\'s forms', () => {
  /** The label of the field at this path, as rendered, without markup. */
  const labelOf = (html: string, path: string): string => {
    const id = `veld-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    const match = new RegExp(`<label class="utrecht-form-label" for="${id}">(.*?)</label>`).exec(html);
    return (match?.[1] ?? '').replace(/<[^>]+>/g, '');
  };

  it('never say "(niet verplicht)" for a field a rule requires, and still do for a field that is optional', () => {
    const advice = renderFields(eventForm('ISSUE_ADVICE', RECORD), {}, {});
    expect(labelOf(advice, 'helpItems.0.fitRationale')).toBe('Waarom past dit bij de vraag?');
    expect(labelOf(advice, 'helpItems.0.kind')).toBe('Soort');
    expect(labelOf(advice, 'helpItems.0.financing.0.funder')).toBe('Financier');
    expect(labelOf(advice, 'helpItems.0.provider')).toBe('Aanbieder (niet verplicht)');
    const intake = renderFields(submissionForm([['GM0363', 'Amsterdam']]), {}, {});
    expect(labelOf(intake, 'school.notAttendingSince')).toBe('Niet naar school sinds');
    expect(labelOf(intake, 'subject.guardianOrganisation')).toBe('Gecertificeerde instelling');
    expect(labelOf(intake, 'requestForHelp.inWordsOfYouth')).toBe('De vraag in de woorden van de jongere (niet verplicht)');
  });
});

describe('errors in one round on an event form: schema errors and the rules the rest breaks (§6.2)', () => {
  const record = recordOf(driveTo('follow_up'));
  const invalid = (names: string[]) => new AppError('VALIDATION_FAILED', 'invalid', {
    invalidParams: names.map((name) => ({ name, reason: 'Invalid input' })),
  });
  const NOW = new Date('2026-06-01T09:00:00Z');

  it('lists a field in error and, beside it, a rule the valid rest breaks (an explanation that explains nothing)', () => {
    const body = { outcome: 'other', familyViewOfFit: 'fits', explanation: 'ok', lessonsLearned: 42 };
    const errors = ruleErrorsInOneRound(invalid(['lessonsLearned']), 'CLOSE', body, record, REFERRAL_MACHINE_VERSION, NOW);
    expect(Object.keys(errors).sort()).toEqual(['', 'explanation', 'lessonsLearned']);
    expect(errors['']).toContain('Niet alles is goed ingevuld');
  });

  it('leaves the rules to the next round when a required field is in error, and names no rule of a field in error', () => {
    const noOutcome = { outcome: 'someday', familyViewOfFit: 'fits', explanation: 'ok' };
    expect(Object.keys(ruleErrorsInOneRound(invalid(['outcome']), 'CLOSE', noOutcome, record, REFERRAL_MACHINE_VERSION, NOW)).sort())
      .toEqual(['', 'outcome']);
    const valid = { outcome: 'other', familyViewOfFit: 'fits', explanation: 'Het gezin is verhuisd naar een andere regio' };
    expect(Object.keys(ruleErrorsInOneRound(invalid(['lessonsLearned']), 'CLOSE', { ...valid, lessonsLearned: 42 }, record,
      REFERRAL_MACHINE_VERSION, NOW)).sort()).toEqual(['', 'lessonsLearned']);
  });
});
