/**
 * Forms without JavaScript: a form is a list of fields whose names are the paths of the JSON body
 * the API takes (`subject.reference`, `helpItems.0.description`). The same list renders the form
 * (labels, help texts, the errors next to their fields) and turns the posted form back into that
 * body, which the engine then checks exactly as it checks the API's: one set of rules.
 *
 * Lists (help items, participants) are a number of rows; a row left empty is left out. A list
 * marked `addMore` has a button that posts the form back with one row more (no script needed):
 * the page is shown again with what was typed, nothing is sent to the engine.
 */
import { DateTime } from 'luxon';
import { esc } from './page.ts';

export type Options = readonly (readonly [value: string, label: string])[];

interface Base {
  name: string;
  label: string;
  hint?: string;
}

export type Field =
  | (Base & { kind: 'text' | 'textarea' | 'date' | 'month' | 'datetime' | 'number' | 'email'; required?: boolean })
  /** A choice; `required` false adds an empty first option. */
  | (Base & { kind: 'select'; options: Options; required?: boolean })
  /** true/false as Ja/Nee; without a choice the member is left out. */
  | (Base & { kind: 'yesno'; required?: boolean })
  /** A checkbox: true when ticked, false when not. */
  | (Base & { kind: 'checkbox' })
  /** Several checkboxes: the ticked values as a list. */
  | (Base & { kind: 'multi'; options: Options })
  /** One text per line, as a list. */
  | (Base & { kind: 'lines' })
  /** A fieldset: an object; left out when all of it is empty and it is optional. */
  | (Base & { kind: 'group'; fields: readonly Field[]; optional?: boolean })
  /** `rows` fieldsets: a list of objects, empty rows left out. */
  | (Base & { kind: 'rows'; fields: readonly Field[]; rows: number; rowLabel: string; addMore?: boolean });

/** The name of the button that asks for one row more in a list (its value: the list's path). */
export const MORE_ROWS = '_meer';
/** At most this many rows in a list that grows (the schemas allow 50 commitments, 100 participants). */
const MAX_ROWS = 50;

/**
 * How many rows a list shows and reads: its fixed number, or for a list that grows, enough for
 * every row posted (and one more when its button was pressed).
 */
function rowCount(field: Extract<Field, { kind: 'rows' }>, values: FormValues, path: string): number {
  if (!field.addMore) return field.rows;
  const prefix = `${path}.`;
  let highest = -1;
  for (const key of Object.keys(values)) {
    if (!key.startsWith(prefix)) continue;
    const index = Number(key.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(index) && index < MAX_ROWS) highest = Math.max(highest, index);
  }
  const more = single(values[MORE_ROWS]) === path ? 1 : 0;
  return Math.min(MAX_ROWS, Math.max(field.rows, highest + 1 + more));
}

/** Whether the form was posted to get one row more in a list, not to be sent. */
export const wantsMoreRows = (values: FormValues): boolean => single(values[MORE_ROWS]) !== '';

export type FormValues = Record<string, string | string[] | undefined>;
/** Error text per field name (path); `''` for the form as a whole. */
export type FieldErrors = Record<string, string>;

/** A list is always an answer, an empty one too ("no disruptions"); other members only when given. */
const present = (v: unknown): boolean => v !== undefined;

const single = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] ?? '' : value ?? '').trim();

/** A `datetime-local` value read as Amsterdam time, as an ISO date-time with offset. */
export function amsterdamDateTime(local: string): string {
  const parsed = DateTime.fromISO(local, { zone: 'Europe/Amsterdam' });
  return parsed.isValid ? parsed.toISO({ suppressMilliseconds: true }) ?? local : local;
}

/** Whether anything under this prefix was filled in or ticked. */
function filledIn(values: FormValues, prefix: string): boolean {
  return Object.entries(values).some(([k, v]) => k.startsWith(prefix) && single(v) !== '');
}

/** The posted form as the API's JSON body. Values it cannot read stay as text, for the schema to refuse. */
export function readForm(fields: readonly Field[], values: FormValues, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const path = prefix + field.name;
    const value = readField(field, values, path);
    if (present(value)) out[field.name] = value;
  }
  return out;
}

function readField(field: Field, values: FormValues, path: string): unknown {
  const raw = single(values[path]);
  switch (field.kind) {
    case 'text': case 'textarea': case 'date': case 'month': case 'email': case 'select':
      return raw === '' ? undefined : raw;
    case 'datetime':
      return raw === '' ? undefined : amsterdamDateTime(raw);
    case 'number': {
      if (raw === '') return undefined;
      const n = Number(raw.replace(',', '.'));
      return Number.isFinite(n) ? n : raw;
    }
    case 'yesno':
      return raw === 'ja' ? true : raw === 'nee' ? false : undefined;
    case 'checkbox':
      return raw !== '';
    case 'multi': {
      const v = values[path];
      return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x) => field.options.some(([o]) => o === x));
    }
    case 'lines':
      return raw.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    case 'group':
      return field.optional && !filledIn(values, `${path}.`) ? undefined : readForm(field.fields, values, `${path}.`);
    case 'rows': {
      const rows: Record<string, unknown>[] = [];
      for (let i = 0, n = rowCount(field, values, path); i < n; i++) {
        if (filledIn(values, `${path}.${i}.`)) rows.push(readForm(field.fields, values, `${path}.${i}.`));
      }
      return rows;
    }
  }
}

/** An id that is a valid HTML id for a path. */
const idOf = (path: string): string => `veld-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The first error at this path or below it (a list's error belongs to its fieldset). */
function errorAt(errors: FieldErrors, path: string, exact: boolean): string | undefined {
  if (errors[path] !== undefined) return errors[path];
  if (exact) return undefined;
  const key = Object.keys(errors).find((k) => k.startsWith(`${path}.`));
  return key === undefined ? undefined : errors[key];
}

/**
 * The fields as HTML. `scope` keeps the ids of one form apart from another's on the same page (the
 * case page has a form per action, several with a `reason`).
 */
export function renderFields(fields: readonly Field[], values: FormValues, errors: FieldErrors, prefix = '', scope = ''): string {
  return fields.map((f) => renderField(f, values, errors, prefix + f.name, scope)).join('\n');
}

function describedBy(id: string, hint: boolean, error: boolean): string {
  const ids = [hint ? `${id}-uitleg` : '', error ? `${id}-fout` : ''].filter(Boolean);
  return ids.length > 0 ? ` aria-describedby="${ids.join(' ')}"` : '';
}

function errorText(id: string, error: string | undefined): string {
  return error === undefined ? ''
    : `<p class="utrecht-form-field-error-message" id="${id}-fout"><span class="console-sr">Fout: </span>${esc(error)}</p>`;
}

function hintText(id: string, hint: string | undefined): string {
  return hint === undefined ? '' : `<p class="utrecht-form-field-description" id="${id}-uitleg">${esc(hint)}</p>`;
}

/**
 * Whether a label says "(niet verplicht)": not for a required field, nor for one a rule requires
 * in some cases (its hint says when: "Verplicht als …"), nor for a choice in a row of a list (its
 * empty option is how a row is left out; once the row is used the choice is needed).
 */
function optional(field: Field, path: string): boolean {
  if ('required' in field && field.required) return false;
  if (/^(Verplicht|Bij maatwerk verplicht)/.test(field.hint ?? '')) return false;
  return !(field.kind === 'select' && /\.\d+\./.test(path));
}

function renderField(field: Field, values: FormValues, errors: FieldErrors, path: string, scope: string): string {
  const id = idOf(scope + path);
  if (field.kind === 'group' || field.kind === 'rows') {
    const error = errorAt(errors, path, true);
    const inner = field.kind === 'group'
      ? renderFields(field.fields, values, errors, `${path}.`, scope)
      : Array.from({ length: rowCount(field, values, path) }, (_, i) =>
        `<fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset console-row"><legend class="utrecht-form-fieldset__legend">${esc(field.rowLabel)} ${i + 1}</legend>
${renderFields(field.fields, values, errors, `${path}.${i}.`, scope)}</fieldset>`).join('\n') +
        (field.addMore && rowCount(field, values, path) < MAX_ROWS
          ? `\n<p class="utrecht-paragraph"><button class="utrecht-button utrecht-button--secondary-action" type="submit" name="${MORE_ROWS}" value="${esc(path)}">Nog een ${esc(field.rowLabel.toLowerCase())} toevoegen</button></p>`
          : '');
    return `<fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset${error ? ' utrecht-form-fieldset--invalid' : ''}" id="${id}"${describedBy(id, field.hint !== undefined, error !== undefined)}>
<legend class="utrecht-form-fieldset__legend">${esc(field.label)}</legend>
${hintText(id, field.hint)}${errorText(id, error)}${inner}</fieldset>`;
  }
  const error = errorAt(errors, path, field.kind !== 'multi' && field.kind !== 'lines');
  const invalid = error !== undefined;
  const aria = `${describedBy(id, field.hint !== undefined, invalid)}${invalid ? ' aria-invalid="true"' : ''}`;
  const value = values[path];
  const text = single(value);
  // aria-required, not required: the form is checked by the service, and `:invalid` would paint
  // empty fields red before anyone typed.
  // In a row of a list a field is needed only once the row is used: no aria-required there.
  const required = 'required' in field && field.required && !/\.\d+\./.test(path) ? ' aria-required="true"' : '';
  let control: string;
  switch (field.kind) {
    case 'textarea': case 'lines':
      control = `<textarea class="utrecht-textarea utrecht-textarea--html-textarea${invalid ? ' utrecht-textarea--invalid' : ''}" id="${id}" name="${esc(path)}" rows="4"${required}${aria}>${esc(Array.isArray(value) ? value.join('\n') : value ?? '')}</textarea>`;
      break;
    case 'select': case 'yesno': {
      const options: Options = field.kind === 'yesno' ? [['ja', 'Ja'], ['nee', 'Nee']] : field.options;
      const empty = field.required ? '' : '<option value="">— kies —</option>';
      control = `<select class="utrecht-select utrecht-select--html-select${invalid ? ' utrecht-select--invalid' : ''}" id="${id}" name="${esc(path)}"${required}${aria}>${empty}${options.map(([v, l]) =>
        `<option value="${esc(v)}"${v === text ? ' selected' : ''}>${esc(l)}</option>`).join('')}</select>`;
      break;
    }
    case 'checkbox':
      return `<div class="utrecht-form-field utrecht-form-field--checkbox${invalid ? ' utrecht-form-field--invalid' : ''}">
<p class="utrecht-form-field__input"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id="${id}" name="${esc(path)}" value="ja"${text !== '' ? ' checked' : ''}${aria}></p>
<p class="utrecht-form-field__label utrecht-form-field__label--checkbox"><label class="utrecht-form-label utrecht-form-label--checkbox" for="${id}">${esc(field.label)}</label></p>
${hintText(id, field.hint)}${errorText(id, error)}</div>`;
    case 'multi': {
      const ticked = new Set(Array.isArray(value) ? value : value === undefined ? [] : [value]);
      return `<fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset${invalid ? ' utrecht-form-fieldset--invalid' : ''}" id="${id}"${describedBy(id, field.hint !== undefined, invalid)}>
<legend class="utrecht-form-fieldset__legend">${esc(field.label)}</legend>${hintText(id, field.hint)}${errorText(id, error)}
${field.options.map(([v, l], i) => `<div class="utrecht-form-field utrecht-form-field--checkbox"><p class="utrecht-form-field__input"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id="${id}-${i}" name="${esc(path)}" value="${esc(v)}"${ticked.has(v) ? ' checked' : ''}></p>
<p class="utrecht-form-field__label utrecht-form-field__label--checkbox"><label class="utrecht-form-label utrecht-form-label--checkbox" for="${id}-${i}">${esc(l)}</label></p></div>`).join('\n')}</fieldset>`;
    }
    default: {
      const type = field.kind === 'datetime' ? 'datetime-local' : field.kind === 'number' ? 'text' : field.kind;
      const mode = field.kind === 'number' ? ' inputmode="decimal"' : '';
      control = `<input class="utrecht-textbox utrecht-textbox--html-input${invalid ? ' utrecht-textbox--invalid' : ''}" type="${type}" id="${id}" name="${esc(path)}" value="${esc(text)}"${mode}${required}${aria}>`;
    }
  }
  return `<div class="utrecht-form-field${invalid ? ' utrecht-form-field--invalid' : ''}">
<p class="utrecht-form-field__label"><label class="utrecht-form-label" for="${id}">${esc(field.label)}${optional(field, path) ? ' <span class="console-optional">(niet verplicht)</span>' : ''}</label></p>
${hintText(id, field.hint)}${errorText(id, error)}<p class="utrecht-form-field__input">${control}</p></div>`;
}

export interface SummaryItem { id: string; text: string }

/**
 * Every field the form marks invalid, in the form's order, each with the id of its control (or
 * fieldset) and its error named after the field: the items of the error summary (§6.2). It walks
 * the fields exactly as `renderFields` does, so each item's link has a target on the page.
 */
export function errorItems(fields: readonly Field[], values: FormValues, errors: FieldErrors, prefix = '', scope = '',
  context = ''): SummaryItem[] {
  return fields.flatMap((field) => {
    const path = prefix + field.name;
    const id = idOf(scope + path);
    const named = context ? `${context}: ${field.label}` : field.label;
    if (field.kind === 'group' || field.kind === 'rows') {
      const error = errorAt(errors, path, true);
      const own = error === undefined ? [] : [{ id, text: `${named}: ${error}` }];
      const inner = field.kind === 'group'
        ? errorItems(field.fields, values, errors, `${path}.`, scope, field.label)
        : Array.from({ length: rowCount(field, values, path) }, (_, i) =>
          errorItems(field.fields, values, errors, `${path}.${i}.`, scope, `${field.rowLabel} ${i + 1}`)).flat();
      return [...own, ...inner];
    }
    const error = errorAt(errors, path, field.kind !== 'multi' && field.kind !== 'lines');
    return error === undefined ? [] : [{ id: field.kind === 'multi' ? `${id}-0` : id, text: `${named}: ${error}` }];
  });
}

/**
 * The error summary at the top of a page (the NL Design System and GOV.UK pattern): a heading, what
 * went wrong in general, and a link to each invalid field. Empty when no field is marked.
 */
export function errorSummary(items: readonly SummaryItem[], general: string | undefined): string {
  if (items.length === 0 && !general) return '';
  return `<div class="utrecht-alert utrecht-alert--error console-error-summary" role="alert" aria-labelledby="fouten-kop">
<div class="utrecht-alert__content"><div class="utrecht-alert__message">
<h2 class="utrecht-heading-2" id="fouten-kop">Er ging iets mis</h2>
${general ? `<p class="utrecht-paragraph">${esc(general)}</p>` : ''}
${items.length > 0 ? `<ul class="utrecht-unordered-list">${items.map((i) =>
    `<li><a class="utrecht-link utrecht-link--html-a" href="#${esc(i.id)}">${esc(i.text)}</a></li>`).join('')}</ul>` : ''}
</div></div></div>`;
}

/** Flattens a posted form (fast-querystring gives strings or lists) to FormValues. */
export function formValues(body: unknown): FormValues {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: FormValues = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** Labels for members the forms do not ask for but a record or trail holds. */
const EXTRA_LABELS: Record<string, string> = {
  id: 'Kenmerk', at: 'Vastgelegd op', birthYear: 'Geboortejaar', helpItems: 'Hulponderdelen', deadline: 'Termijn', dueAt: 'Uiterlijk',
  // §6.3: who was made regisseur (ASSIGN, START_TRIAGE), and the free text of before.
  coordinator: 'Procesregisseur (vrije tekst)', name: 'Naam', userId: 'Gebruikersnummer',
};

const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A stored payload in Dutch: the members named by the labels of the form that wrote them, the
 * chosen options by their labels, yes/no as Ja/Nee, dates in Dutch. Already escaped.
 */
export function describeValue(value: unknown, fields: readonly Field[] = [], when?: (iso: string) => string): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Ja' : 'Nee';
  if (typeof value === 'string' && when && ISO_MOMENT.test(value)) return when(value);
  if (typeof value !== 'object') return esc(String(value as string | number | bigint));
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    return `<ol class="utrecht-ordered-list">${value.map((v) => `<li>${describeValue(v, fields, when)}</li>`).join('')}</ol>`;
  }
  const rows = Object.entries(value as Record<string, unknown>).map(([key, v]) => {
    const field = fields.find((f) => f.name === key);
    const label = field?.label ?? EXTRA_LABELS[key] ?? key;
    let shown: string;
    if (field && (field.kind === 'select' || field.kind === 'multi') && (typeof v === 'string' || Array.isArray(v))) {
      const names = (Array.isArray(v) ? v : [v]).map((x) => field.options.find(([o]) => o === x)?.[1] ?? String(x));
      shown = esc(names.join(', '));
    } else if (field && (field.kind === 'group' || field.kind === 'rows')) {
      shown = describeValue(v, field.fields, when);
    } else {
      shown = describeValue(v, [], when);
    }
    return `<dt>${esc(label)}</dt><dd>${shown}</dd>`;
  });
  return `<dl class="console-details">${rows.join('')}</dl>`;
}
