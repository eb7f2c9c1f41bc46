/**
 * The console's case pages: the work list (werkvoorraad, mijn casussen), the aanmelding, the case
 * page with exactly the actions `allowedEvents` allows, its trail in Dutch and its access log.
 * Every read is recorded in the access log as the API's are; every action goes through the engine.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deadlineOfKey } from '../../machines/referral.deadlines.ts';
import { municipalitiesInForce, municipalityName } from '../../machines/referral.municipalities.ts';
import { EVENT_TYPES, isEventType, type EventType } from '../../machines/referral.schemas.ts';
import type { CaseRecord } from '../../machines/referral.types.ts';
import { LIFECYCLE_STATES } from '../../machines/referral.types.ts';
import { AppError } from '../errors.ts';
import { UUID } from '../validation.ts';
import type { Trail } from '../cases/case-contract.ts';
import type { CaseView } from '../cases/case-view.ts';
import { overlegIcs, overlegIcsName } from '../cases/overleg-ics.ts';
import { ICS_TYPE } from '../cases/overleg-routes.ts';
import {
  ACCESS_LABELS, ACTION_LABELS, CLOSED_AS_LABELS, dutchDate, EVENT_LABELS, label, OFFER_KIND_LABELS, ROLE_LABELS, STATE_LABELS,
  weeksNl,
} from '../http/labels-nl.ts';
import { fieldErrorsOf, ruleErrorsInOneRound } from './errors-nl.ts';
import {
  describeValue, errorItems, errorSummary, formValues, readForm, renderFields, wantsMoreRows, type FieldErrors, type FormValues,
  type Options,
} from './form.ts';
import { advice, bridging, consentAndAuthority, intake, overleg, triage } from './case-file.ts';
import { eventForm, invitedProfessionals, submissionForm, type FormChoices } from './forms-nl.ts';
import { alert, csrfField, dataList, esc, page, stateBadge, table, when } from './page.ts';
import { statechartSvg } from './statechart-svg.ts';
import { type ConsoleContext, type Person, SeeOther } from './context.ts';
import { personIdOf } from '../cases/regisseur.ts';

const WORKERS = ['local_team', 'expert_team'] as const;
/** Entries of the trail, and notes, on one page of their lists. */
const TRAIL_PAGE = 25;
const NOTES_PAGE = 20;
/** The most progress reports and notes the case page shows (the rest are on the notes page). */
const PROGRESS_SHOWN = 20;
/** The most notes the notes page reads (the API's notes endpoint pages further). */
const NOTES_READ = 1000;
const TRAIL_READERS = ['expert_team', 'inspector'] as const;
const CASE_READERS = ['local_team', 'expert_team', 'inspector'] as const;

const link = (href: string, text: string): string => `<a class="utrecht-link utrecht-link--html-a" href="${esc(href)}">${esc(text)}</a>`;
const flag = (q: Record<string, unknown>, name: string): boolean => q[name] === 'ja';
const str = (q: Record<string, unknown>, name: string): string | undefined =>
  (typeof q[name] === 'string' && (q[name] as string).trim() !== '' ? (q[name] as string).trim() : undefined);

/**
 * One page (1-based, from the query) of a list already filtered, and the links to the pages
 * before and after it, keeping the filter.
 */
function paged<T>(items: readonly T[], asked: string | undefined, size: number, path: string,
  keep: Record<string, string | undefined>, what: string): { shown: T[]; pager: string } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const n = asked !== undefined && /^\d{1,6}$/.test(asked) ? Math.min(Math.max(1, Number(asked)), pages) : 1;
  const href = (to: number) => {
    const params = new URLSearchParams(Object.entries(keep).filter((e): e is [string, string] => e[1] !== undefined));
    if (to > 1) params.set('pagina', String(to));
    return `${path}${params.size > 0 ? `?${params.toString()}` : ''}`;
  };
  const links = [
    n > 1 ? link(href(n - 1), `Nieuwere ${what}`) : '',
    n < pages ? link(href(n + 1), `Oudere ${what}`) : '',
  ].filter(Boolean);
  const pager = pages === 1 ? '' : `<nav class="console-pager" aria-label="Pagina's"><p class="utrecht-paragraph">Pagina ${n} van ${pages} · ${links.join(' · ')}</p></nav>`;
  return { shown: items.slice((n - 1) * size, n * size), pager };
}

type Acting = Pick<Trail['entries'][number]['actor'], 'name' | 'role' | 'organisation'>;

/** Who recorded each event of this type, by its moment (the record's stamp is the trail entry's). */
const recorders = (entries: Trail['entries'], type: string, who: (actor: Acting) => string): Map<string, string> =>
  new Map(entries.filter((e) => e.type === type).map((e) => [e.at, who(e.actor)]));

/**
 * What an entry of the trail was, in Dutch; an assignment (§6.3) says who was made regisseur
 * ("Procesregisseur: <naam>"), the actor column says by whom.
 */
function entryText(e: Trail['entries'][number]): string {
  const payload = e.payload as { name?: unknown; regisseur?: { name?: unknown } } | null;
  if (e.type === 'ASSIGN' && typeof payload?.name === 'string') return `Procesregisseur: ${payload.name}`;
  if (e.type === 'START_TRIAGE' && typeof payload?.regisseur?.name === 'string') {
    return `${EVENT_LABELS.START_TRIAGE} · Procesregisseur: ${payload.regisseur.name}`;
  }
  return EVENT_LABELS[e.type] ?? e.type;
}

/** "Afspraak: " before a due time: which deadline it is (a commitment's timer is `commitment:<id>`). */
const dueName = (name: string | null | undefined): string =>
  name ? `${esc(label(deadlineOfKey(name).name))}: ` : '';

/**
 * How urgent a case on the work list is (§6.3), in words, so that the marker does not rest on
 * colour: over the term, due within a week, or neither. The list is in this order already.
 */
function urgency(overdue: boolean, nextDue: string | null, soon: string): string {
  if (overdue) return '<strong>Te laat</strong>';
  if (nextDue !== null && nextDue <= soon) return '<strong>Binnen een week</strong>';
  return esc('—');
}

function caseId(request: FastifyRequest): string {
  const id = (request.params as { id: string }).id;
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'no such case');
  return id.toLowerCase();
}

export async function casePages(app: FastifyInstance, ctx: ConsoleContext): Promise<void> {
  const { engine, queries, access, clock, regions } = ctx;
  /** Who did it, as the pages name them: "Naam (rol, organisatie)", the organisation by its name. */
  const whoActed = (actor: Acting): string =>
    `${actor.name} (${ROLE_LABELS[actor.role] ?? actor.role}${actor.organisation ? `, ${ctx.orgName(actor.organisation)}` : ''})`;

  /**
   * The region's offers register as choices for an advice's help items (§6.4): the expert team's,
   * each with its latest waiting time; nobody else advises.
   */
  async function offerChoices(person: Person): Promise<Options> {
    if (person.actor.role !== 'expert_team') return [];
    return (await ctx.offerRegister.list(person.actor)).map((o) => [o.id,
      `${o.name} (${o.provider}, ${OFFER_KIND_LABELS[o.kind] ?? o.kind}) · ${o.waitingTime ? `wachttijd ${weeksNl(o.waitingTime.weeks)}` : 'geen wachttijd gemeld'}`] as const);
  }

  /** What the event forms offer this person to choose from: the offers register, the regisseurs. */
  async function formChoices(person: Person): Promise<FormChoices> {
    const [offers, people] = await Promise.all([offerChoices(person), regisseurOptions(person)]);
    return { offers, people };
  }

  async function municipalityOptions(region: string): Promise<Options> {
    const now = clock.now();
    const own = (await regions.get(region)).municipalities;
    const list = own
      ? own.map((code) => ({ code, name: municipalityName(code) ?? code }))
      : municipalitiesInForce(now);
    return list.map((m) => [m.code, m.name] as const).sort((a, b) => a[1].localeCompare(b[1], 'nl'));
  }

  /**
   * Who can be regisseur of the region's cases (§6.3): its active expert-team people, by name.
   * Only the expert team sees the forms that choose one.
   */
  async function regisseurOptions(person: Person): Promise<Options> {
    if (person.actor.role !== 'expert_team') return [];
    return (await ctx.people.list(person.actor.region))
      .filter((u) => u.role === 'expert_team' && u.disabledAt === null)
      .map((u) => [u.id, u.name] as const);
  }

  app.get('/casussen', async (request, reply) => {
    const person = ctx.person(request, WORKERS);
    const q = request.query as Record<string, unknown>;
    const state = str(q, 'status');
    const municipality = str(q, 'gemeente');
    const chosenState = state && (LIFECYCLE_STATES as readonly string[]).includes(state) ? state : undefined;
    // Closed cases are left out unless asked for (§6.3), or unless the state asked for is closed.
    const withClosed = flag(q, 'afgesloten') || chosenState === 'closed';
    const filter = {
      state: chosenState,
      municipality: municipality && /^GM\d{4}$/.test(municipality) ? municipality : undefined,
      overdue: flag(q, 'achterstallig'), open: !withClosed, limit: 200,
    };
    const items = await queries.worklist(person.actor, filter);
    await access.record(request, person.actor, 'case.list', items.map((i) => i.id));
    const title = person.actor.role === 'local_team' ? 'Mijn casussen' : 'Werkvoorraad';
    const soon = new Date(clock.now().getTime() + 7 * 86_400_000).toISOString();
    const rows = items.map((i) => [
      link(`/casussen/${i.id}`, i.reference ?? i.id.slice(0, 8)),
      stateBadge(i.state, i.closedAs, i.overdue === 1),
      urgency(i.overdue === 1, i.nextDue, soon),
      esc(i.regisseurName ?? '—'),
      esc(municipalityName(i.municipality) ?? i.municipality),
      i.overdue ? `<strong>Termijn verstreken</strong>${i.nextDue ? ` (${dueName(i.nextDueName)}${when(i.nextDue)})` : ''}`
        : i.nextDue ? `${dueName(i.nextDueName)}${when(i.nextDue)}` : when(i.nextDue),
      when(i.createdAt),
    ]);
    const stateOptions = LIFECYCLE_STATES.map((s) => `<option value="${s}"${s === filter.state ? ' selected' : ''}>${esc(STATE_LABELS[s])}</option>`).join('');
    const municipalityOpts = (await municipalityOptions(person.actor.region))
      .map(([c, n]) => `<option value="${esc(c)}"${c === filter.municipality ? ' selected' : ''}>${esc(n)}</option>`).join('');
    return ctx.send(reply, page({ title, user: ctx.pageUser(person), path: '/casussen' }, `
<p class="utrecht-paragraph">Wat over de termijn is staat bovenaan, daarna wat het eerst moet.</p>
<form method="get" action="/casussen" class="console-filters">
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="status">Status</label></p>
<p class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="status" name="status"><option value="">Alle</option>${stateOptions}</select></p></div>
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="gemeente">Gemeente</label></p>
<p class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="gemeente" name="gemeente"><option value="">Alle</option>${municipalityOpts}</select></p></div>
<div class="utrecht-form-field utrecht-form-field--checkbox"><p class="utrecht-form-field__input"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id="achterstallig" name="achterstallig" value="ja"${filter.overdue ? ' checked' : ''}></p>
<p class="utrecht-form-field__label utrecht-form-field__label--checkbox"><label class="utrecht-form-label utrecht-form-label--checkbox" for="achterstallig">Alleen over de termijn</label></p></div>
<div class="utrecht-form-field utrecht-form-field--checkbox"><p class="utrecht-form-field__input"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id="afgesloten" name="afgesloten" value="ja"${withClosed ? ' checked' : ''}></p>
<p class="utrecht-form-field__label utrecht-form-field__label--checkbox"><label class="utrecht-form-label utrecht-form-label--checkbox" for="afgesloten">Ook afgesloten casussen tonen</label></p></div>
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Filteren</button>
</form>
${withClosed ? '' : '<p class="utrecht-paragraph utrecht-paragraph--small">Afgesloten casussen staan er niet bij; vink "Ook afgesloten casussen tonen" aan om ze te zien.</p>'}
${table(`${items.length} ${withClosed ? '' : 'open '}casus${items.length === 1 ? '' : 'sen'}`,
    ['Kenmerk', 'Status', 'Urgentie', 'Procesregisseur', 'Gemeente', 'Volgende termijn', 'Aangemeld'], rows)}`));
  });

  async function submissionPage(reply: FastifyReply, person: Person, values: FormValues, errors: FieldErrors, status = 200) {
    const fields = submissionForm(await municipalityOptions(person.actor.region));
    const lead = person.actor.role === 'expert_team'
      ? 'Een ouder of jongere die zelf bij het expertteam komt, meldt u hier aan. Kies bij "Aanmelder" ouder of jongere.'
      : 'Meld een vastgelopen casus aan bij het regionaal expertteam. Beschrijf de vraag, niet het aanbod dat u zoekt.';
    return ctx.send(reply, page({
      title: 'Nieuwe aanmelding', user: ctx.pageUser(person), path: '/aanmelden',
    }, `${errorSummary(errorItems(fields, values, errors), errors[''])}
<p class="utrecht-paragraph">${esc(lead)}</p>
<form method="post" action="/aanmelden" novalidate>${csrfField(person.session.csrf)}
${renderFields(fields, values, errors)}
<button class="utrecht-button utrecht-button--primary-action" type="submit">Aanmelden</button></form>`), status);
  }

  app.get('/aanmelden', async (request, reply) => {
    const person = ctx.person(request, WORKERS);
    const values: FormValues = person.actor.role === 'local_team'
      ? { 'referrer.kind': 'professional', 'referrer.organisation': ctx.orgName(person.actor.organisation) } : {};
    return submissionPage(reply, person, values, {});
  });

  app.post('/aanmelden', async (request, reply) => {
    const person = ctx.person(request, WORKERS);
    const values = formValues(request.body);
    const body = readForm(submissionForm(await municipalityOptions(person.actor.region)), values);
    try {
      const view = await engine.submit(person.actor, body);
      throw new SeeOther(`/casussen/${view.id}?gedaan=SUBMIT`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.code === 'FORBIDDEN') throw err;
      return submissionPage(reply, person, values, fieldErrorsOf(err), err.status);
    }
  });

  app.get('/casussen/:id', async (request, reply) => {
    const person = ctx.person(request, CASE_READERS);
    const view = await queries.get(person.actor, caseId(request));
    await access.record(request, person.actor, 'case.read', [view.id]);
    // The expert team and the inspector see the latest of the trail on the case page itself.
    const readsTrail = (TRAIL_READERS as readonly string[]).includes(person.actor.role);
    const entries = readsTrail ? (await queries.trail(person.actor, view.id)).entries : undefined;
    if (entries) await access.record(request, person.actor, 'trail.read', [view.id]);
    const authors = entries ? undefined : await noteAuthors(person, view);
    const done = str(request.query as Record<string, unknown>, 'gedaan');
    const notice = done && (isEventType(done) || done === 'SUBMIT')
      ? { kind: 'ok' as const, text: `Vastgelegd: ${EVENT_LABELS[done] ?? done}.` } : null;
    return ctx.send(reply, casePage(person, view, notice, undefined, entries, authors, await formChoices(person)));
  });

  app.post('/casussen/:id', async (request, reply) => {
    const person = ctx.person(request, WORKERS);
    const id = caseId(request);
    const values = formValues(request.body);
    const type = typeof values.type === 'string' && isEventType(values.type) ? values.type : undefined;
    const current = await queries.get(person.actor, id);
    if (!type) throw new AppError('VALIDATION_FAILED', 'type');
    // "Nog een afspraak toevoegen": the same form again with one row more, nothing sent.
    if (wantsMoreRows(values)) {
      await access.record(request, person.actor, 'case.read', [current.id]);
      // Said plainly: Enter in a text field presses the form's first button, which may be this one.
      return ctx.send(reply, casePage(person, current, {
        kind: 'info', text: 'Er is een regel bijgekomen. Er is nog niets vastgelegd: vul het formulier verder in en verstuur het.',
      }, { type, values, errors: {} }, undefined, await noteAuthors(person, current), await formChoices(person)));
    }
    const version = typeof values.versie === 'string' && /^\d{1,9}$/.test(values.versie) ? values.versie : String(current.version);
    const choices = await formChoices(person);
    const body = readForm(eventForm(type, current.data, choices), values);
    try {
      await engine.applyEvent(person.actor, { caseId: id, body: { type, ...body }, ifMatch: `"${version}"` });
      throw new SeeOther(`/casussen/${id}?gedaan=${type}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND' || err.code === 'GONE') throw err;
      await access.record(request, person.actor, 'case.read', [current.id]);
      const errors = ruleErrorsInOneRound(err, type, body, current.data, current.machineVersion, clock.now());
      const authors = await noteAuthors(person, current);
      return ctx.send(reply, casePage(person, current, null, { type, values, errors }, undefined, authors, choices), err.status);
    }
  });

  /**
   * The file summary to print or save as PDF: the state and every section of the file, without
   * forms, navigation or the statechart; who printed it and when at the bottom. A read like the
   * case page, logged as one.
   */
  app.get('/casussen/:id/afdruk', async (request, reply) => {
    const person = ctx.person(request, CASE_READERS);
    const view = await queries.get(person.actor, caseId(request));
    await access.record(request, person.actor, 'case.read', [view.id]);
    const record = view.data;
    const now = clock.now();
    return ctx.send(reply, page({ title: `Dossieroverzicht casus ${record.submission.subject.reference}`, user: ctx.pageUser(person),
      path: person.actor.role === 'inspector' ? '/dossieronderzoek' : '/casussen' }, `
<p class="utrecht-paragraph console-noprint">${link(`/casussen/${view.id}`, 'Terug naar de casus')} · Druk deze pagina af met de afdrukknop van uw browser (Ctrl+P), of bewaar hem als PDF.
Het overzicht bevat persoonsgegevens van een kind: bewaar en deel het alleen als dat nodig is.</p>
<section aria-labelledby="kop-stand"><h2 class="utrecht-heading-2" id="kop-stand">Stand van zaken</h2>
${dataList([
    ['Status', stateBadge(view.state, view.closedAs, view.overdueDeadlines.length > 0)],
    ['Gemeente', esc(municipalityName(view.municipality) ?? view.municipality)],
    ['Aangemeld', when(record.submittedAt)],
    ['Termijn verstreken', esc(view.overdueDeadlines.length > 0 ? view.overdueDeadlines.map((d) => label(d.name)).join(', ') : 'Nee')],
  ])}
${table('Open termijnen', ['Termijn', 'Uiterlijk'], view.deadlines.map((d) => [esc(label(d.name)), when(d.dueAt)]))}
</section>
${ending(view)}
${fileSections(view, now)}
<p class="utrecht-paragraph utrecht-paragraph--small">Overzicht gemaakt op ${when(now.toISOString())} door ${esc(person.actor.name)}
(${esc(ROLE_LABELS[person.actor.role] ?? person.actor.role)}, ${esc(ctx.orgName(person.actor.organisation))}).</p>`));
  });

  /**
   * The planned overleg as a calendar entry (§6.3): the API's file, for the signed-in person who may
   * read the case; a read of the case, logged as one. Nothing planned: the console's 404 page.
   */
  app.get('/casussen/:id/overleg.ics', async (request, reply) => {
    const person = ctx.person(request, CASE_READERS);
    const view = await queries.get(person.actor, caseId(request));
    const ics = overlegIcs(view.id, view.data, ctx.baseOf(request));
    if (ics === null) throw new AppError('NOT_FOUND', 'no overleg is planned for this case');
    await access.record(request, person.actor, 'case.read', [view.id]);
    return reply.type(ICS_TYPE)
      .header('Content-Disposition', `attachment; filename="${overlegIcsName(view.id)}"`).send(ics);
  });

  /**
   * The whole trail, newest first, 25 entries a page, filtered by what happened and by who (part
   * of a name or organisation). The trail is read whole; the paging is the page's.
   */
  app.get('/casussen/:id/verloop', async (request, reply) => {
    const person = ctx.person(request, TRAIL_READERS);
    const trail = await queries.trail(person.actor, caseId(request));
    const role = person.actor.role;
    await access.record(request, person.actor, 'trail.read', [trail.caseId]);
    const view = await queries.get(person.actor, trail.caseId);
    const record = view.data;
    const reference = record.submission.subject.reference;
    const q = request.query as Record<string, unknown>;
    const kinds = [...new Set(trail.entries.map((e) => e.type))];
    const kind = str(q, 'soort') !== undefined && kinds.includes(str(q, 'soort')!) ? str(q, 'soort') : undefined;
    const who = str(q, 'wie')?.slice(0, 200);
    const matching = trail.entries.slice().reverse().filter((e) => (kind === undefined || e.type === kind) &&
      (who === undefined || `${e.actor.name} ${e.actor.organisation} ${ctx.orgName(e.actor.organisation ?? '')}`.toLocaleLowerCase('nl').includes(who.toLocaleLowerCase('nl'))));
    const { shown, pager } = paged(matching, str(q, 'pagina'), TRAIL_PAGE, `/casussen/${view.id}/verloop`, { soort: kind, wie: who }, 'vastleggingen');
    const items = shown.map((e) => {
      const fields = e.type === 'SUBMIT' ? submissionForm([]) : isEventType(e.type) ? eventForm(e.type, record) : [];
      return `<li class="console-entry"><h2 class="utrecht-heading-3">${esc(entryText(e))}</h2>
<p class="utrecht-paragraph utrecht-paragraph--small">${when(e.at)} · door ${esc(whoActed(e.actor))} · daarna: ${esc(STATE_LABELS[e.state] ?? e.state)} · nr. ${e.seq}</p>
${describeValue(e.payload, fields, (iso) => when(iso))}</li>`;
    });
    const kindOptions = kinds.map((k) => `<option value="${esc(k)}"${k === kind ? ' selected' : ''}>${esc(EVENT_LABELS[k] ?? k)}</option>`).join('');
    return ctx.send(reply, page({ title: `Verloop van casus ${reference}`, user: ctx.pageUser(person), path: '/casussen' }, `
<p class="utrecht-paragraph">${link(`/casussen/${view.id}`, 'Terug naar de casus')} · nieuwste eerst · ${trail.entries.length} vastleggingen.
Elke vastlegging is met een controlecode aan de vorige gekoppeld${role === 'inspector' ? `; ${link('/audit', 'de controle van het logboek')} rekent die na` : ''}.</p>
<form method="get" action="/casussen/${view.id}/verloop" class="console-filters">
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="soort">Wat</label></p>
<p class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="soort" name="soort"><option value="">Alles</option>${kindOptions}</select></p></div>
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="wie">Door (naam of organisatie)</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="wie" name="wie" maxlength="200" value="${esc(who ?? '')}"></p></div>
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Filteren</button></form>
${items.length > 0 ? `<ol class="console-timeline">${items.join('\n')}</ol>` : '<p class="utrecht-paragraph">Geen vastleggingen die hierbij passen.</p>'}
${pager}`));
  });

  /**
   * Every note of the case, newest first, 20 a page, for everyone who may open the case; a word
   * to look for filters them. Each shows its author (name and organisation, as the trail records
   * them) to every reader, the local team included, without the trail being read.
   */
  app.get('/casussen/:id/notities', async (request, reply) => {
    const person = ctx.person(request, CASE_READERS);
    const id = caseId(request);
    const all = await queries.notes(person.actor, id, { limit: NOTES_READ });
    const view = await queries.get(person.actor, id);
    await access.record(request, person.actor, 'case.read', [view.id]);
    const q = request.query as Record<string, unknown>;
    const word = str(q, 'zoek')?.slice(0, 200);
    const matching = word === undefined ? all.items
      : all.items.filter((n) => n.text.toLocaleLowerCase('nl').includes(word.toLocaleLowerCase('nl')));
    const { shown, pager } = paged(matching, str(q, 'pagina'), NOTES_PAGE, `/casussen/${view.id}/notities`, { zoek: word }, 'notities');
    const rows = shown.map((n) => [when(n.at), esc(n.by.organisation ? `${n.by.name} (${ctx.orgName(n.by.organisation)})` : n.by.name), esc(n.text)]);
    return ctx.send(reply, page({ title: `Notities bij casus ${view.data.submission.subject.reference}`, user: ctx.pageUser(person),
      path: person.actor.role === 'inspector' ? '/dossieronderzoek' : '/casussen' }, `
<p class="utrecht-paragraph">${link(`/casussen/${view.id}`, 'Terug naar de casus')} · nieuwste eerst · ${all.total} notitie${all.total === 1 ? '' : 's'}${all.total > all.items.length ? `; de nieuwste ${all.items.length} staan hier` : ''}.</p>
<form method="get" action="/casussen/${view.id}/notities" class="console-filters">
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="zoek">Zoek in de notities</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="search" id="zoek" name="zoek" maxlength="200" value="${esc(word ?? '')}"></p></div>
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Zoeken</button></form>
${table(word === undefined ? 'Notities' : `Notities met "${word}"`, ['Wanneer', 'Door', 'Notitie'], rows)}
${pager}`));
  });

  app.get('/casussen/:id/toegang', async (request, reply) => {
    const person = ctx.person(request, ['inspector']);
    const view = await queries.get(person.actor, caseId(request));
    const entries = await access.list(person.actor.region, { caseId: view.id, limit: 500 });
    await access.record(request, person.actor, 'access_log.read', [view.id]);
    const rows = entries.map((e) => [
      when(e.at), esc(e.actorName), esc(ROLE_LABELS[e.actorRole] ?? e.actorRole), esc(ctx.orgName(e.actorOrganisation)),
      esc(ACCESS_LABELS[e.action] ?? e.action), esc(e.purpose ?? '—'), esc(e.outcome === 'shown' ? 'getoond' : 'geweigerd'),
    ]);
    return ctx.send(reply, page({ title: `Toegangslog van casus ${view.data.submission.subject.reference}`, user: ctx.pageUser(person), path: '/dossieronderzoek' }, `
<p class="utrecht-paragraph">${link(`/casussen/${view.id}`, 'Terug naar de casus')} · wie deze casus las, wanneer en met welk doel (NEN 7513), nieuwste eerst.</p>
${table('Inzage', ['Wanneer', 'Wie', 'Rol', 'Organisatie', 'Wat', 'Doel', 'Uitkomst'], rows)}`));
  });

  interface Failed { type: EventType; values: FormValues; errors: FieldErrors }

  /**
   * Who wrote the latest notes, for a reader without the trail (the local team): the notes read
   * gives each note's author to everyone who may open the case. Keyed as `progress` looks them up.
   */
  async function noteAuthors(person: Person, view: CaseView): Promise<Map<string, string>> {
    const notes = await queries.notes(person.actor, view.id, { limit: PROGRESS_SHOWN });
    return new Map(notes.items.map((n) => [`ADD_NOTE@${n.at}`, n.by.organisation ? `${n.by.name} (${ctx.orgName(n.by.organisation)})` : n.by.name]));
  }

  function casePage(person: Person, view: CaseView, notice: { kind: 'ok' | 'error' | 'info'; text: string } | null, failed?: Failed,
    entries?: Trail['entries'], authors?: Map<string, string>, choices: FormChoices = {}): string {
    const record = view.data;
    const role = person.actor.role;
    const reference = record.submission.subject.reference;
    const links = [
      TRAIL_READERS.includes(role as never) ? link(`/casussen/${view.id}/verloop`, 'Verloop (alle vastleggingen)') : '',
      role === 'inspector' ? link(`/casussen/${view.id}/toegang`, 'Toegangslog van deze casus') : '',
      link(`/casussen/${view.id}/afdruk`, 'Dossieroverzicht om af te drukken'),
    ].filter(Boolean);
    const blocked = view.allowedEvents.length > 0 && view.allowedEvents.every((t) => ['UPDATE_CONSENT', 'WITHDRAW', 'ADD_NOTE', 'ASSIGN'].includes(t)) &&
      view.state !== 'closed';
    const summary = failed
      ? errorSummary(errorItems(eventForm(failed.type, record, choices), failed.values, failed.errors, '', `${failed.type}-`), failed.errors[''])
      : '';
    return page({ title: `Casus ${reference}`, user: ctx.pageUser(person), path: role === 'inspector' ? '/dossieronderzoek' : '/casussen', notice }, `${summary}
${view.overdueDeadlines.length > 0 ? alert('warning', overdueText(view)) : ''}
${blocked ? alert('warning', 'De toestemming die de wet vraagt ontbreekt. Tot die er is (of een grondslag), kunt u alleen de toestemming wijzigen, een notitie maken of intrekken.') : ''}
${links.length > 0 ? `<p class="utrecht-paragraph">${links.join(' · ')}</p>` : ''}
<section aria-labelledby="kop-stand"><h2 class="utrecht-heading-2" id="kop-stand">Stand van zaken</h2>
${dataList([
    ['Status', stateBadge(view.state, view.closedAs, view.overdueDeadlines.length > 0)],
    ['Gemeente', esc(municipalityName(view.municipality) ?? view.municipality)],
    ['Aangemeld', when(record.submittedAt)],
    ['Urgentie', esc(record.submission.urgency === 'urgent' ? 'Spoed' : 'Gewoon')],
    ['Leefgebieden', esc(record.submission.problemAreas.map(label).join(', '))],
    ['Hulpvraag', esc(record.submission.requestForHelp.summary)],
    ['Procesregisseur', esc(view.regisseur?.name ?? 'Geen procesregisseur')],
    ...(role === 'inspector' ? [] : [['Uw volgende stap', nextStep(view)] as [string, string]]),
  ])}
${table('Open termijnen', ['Termijn', 'Uiterlijk'], view.deadlines.map((d) => [esc(label(d.name)), when(d.dueAt)]))}
</section>
${ending(view)}
${actions(person, view, failed, choices)}
${fileSections(view, clock.now(), entries, authors, true)}
${entries ? timeline(view.id, entries) : ''}
<section aria-labelledby="kop-chart"><h2 class="utrecht-heading-2" id="kop-chart">Waar de casus staat</h2>
${statechartSvg(view.state, view.machineVersion)}</section>`);
  }

  /**
   * What is overdue, in words; a reassessment that falls due while a known wait is bridged says
   * so: the help was not expected yet, the question is whether the bridging still holds.
   */
  function overdueText(view: CaseView): string {
    const record = view.data;
    const names = view.overdueDeadlines.map((d) => label(d.name));
    const text = `Termijn verstreken: ${names.join(', ')}.`;
    const plan = record.bridgingPlans.at(-1);
    const advised = record.advices.at(-1);
    if (!view.overdueDeadlines.some((d) => d.name === 'reassessment') || !plan || !advised || plan.at < advised.at) return text;
    const waiting = record.helpItems.filter((i) => i.status !== 'started').map((i) => i.waitingWeeks);
    if (waiting.length === 0) return text;
    const weeks = Math.max(...waiting);
    const expected = new Date(Date.parse(advised.at) + weeks * 7 * 86_400_000).toISOString();
    if (expected <= clock.now().toISOString()) return text;
    return `${text} De hulp is drie maanden na het advies nog niet gestart, maar dat was bekend: de wachttijd is ${weeks} weken ` +
      `(tot ongeveer ${dutchDate(expected.slice(0, 10))}) en wordt overbrugd volgens het plan van ${dutchDate(plan.at.slice(0, 10))}. ` +
      'Beoordeel of het overbruggingsplan nog volstaat.';
  }

  /** The steps this person can take now, each a link to its form; the notes and consent changes that are always there last. */
  function nextStep(view: CaseView): string {
    const always = ['ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW'];
    const steps = EVENT_TYPES.filter((t) => view.allowedEvents.includes(t) && !always.includes(t));
    if (steps.length === 0) return esc(view.state === 'closed' ? 'Geen: de casus is afgesloten.' : 'Voor u is er nu geen stap; een notitie kan altijd.');
    return steps.map((t) => `<a class="utrecht-link utrecht-link--html-a" href="#actie-${t}">${esc(ACTION_LABELS[t] ?? t)}</a>`).join(', ');
  }

  function actions(person: Person, view: CaseView, failed?: Failed, choices: FormChoices = {}): string {
    const role = person.actor.role;
    if (role === 'inspector') return '';
    if (view.allowedEvents.length === 0) {
      return `<section aria-labelledby="kop-acties"><h2 class="utrecht-heading-2" id="kop-acties">Wat u nu kunt doen</h2>
<p class="utrecht-paragraph">Voor u is er nu geen stap te zetten in deze casus.</p></section>`;
    }
    const ordered = EVENT_TYPES.filter((t) => view.allowedEvents.includes(t));
    const forms = ordered.map((type) => {
      const open = failed?.type === type;
      const values = open ? failed.values : defaults(type, view, person);
      const errors = open ? failed.errors : {};
      return `<details class="console-action" id="actie-${type}"${open ? ' open' : ''}><summary>${esc(ACTION_LABELS[type] ?? type)}</summary>
<form method="post" action="/casussen/${view.id}" novalidate>${csrfField(person.session.csrf)}
<input type="hidden" name="type" value="${type}"><input type="hidden" name="versie" value="${view.version}">
${renderFields(eventForm(type, view.data, choices), values, errors, '', `${type}-`)}
<button class="utrecht-button utrecht-button--primary-action" type="submit">${esc(ACTION_LABELS[type] ?? type)}</button></form></details>`;
    });
    return `<section aria-labelledby="kop-acties"><h2 class="utrecht-heading-2" id="kop-acties">Wat u nu kunt doen</h2>
<p class="utrecht-paragraph">Alleen de stappen die bij de status en uw rol passen. Open een stap om het formulier te zien.</p>
${forms.join('\n')}</section>`;
  }

  function timeline(id: string, entries: Trail['entries']): string {
    const latest = entries.slice(-10).reverse().map((e) => [
      when(e.at), esc(entryText(e)),
      esc(whoActed(e.actor)),
      esc(STATE_LABELS[e.state] ?? e.state),
    ]);
    return `<section aria-labelledby="kop-tijdlijn"><h2 class="utrecht-heading-2" id="kop-tijdlijn">Tijdlijn</h2>
${table(entries.length > 10 ? `De laatste 10 van ${entries.length} vastleggingen` : 'Alle vastleggingen', ['Wanneer', 'Wat', 'Door', 'Status daarna'], latest)}
<p class="utrecht-paragraph">${link(`/casussen/${id}/verloop`, 'Het hele verloop, met wat er is vastgelegd')}</p></section>`;
  }

  /**
   * What a form starts with: today for a help item's change, the current school situation, at the
   * overleg's record the professionals who were invited to it, and the regisseur (§6.3).
   */
  function defaults(type: EventType, view: CaseView, person: Person): FormValues {
    // §6.3: the one who starts the triage runs the case, unless they choose another.
    const self = personIdOf(person.actor);
    if (type === 'START_TRIAGE') return { regisseur: self };
    if (type === 'ASSIGN') return { userId: view.regisseur?.userId ?? self };
    if (type === 'UPDATE_HELP_ITEM') return { date: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(clock.now()) };
    if (type === 'UPDATE_SCHOOL') return { status: view.data.submission.school.status };
    if (type === 'RECORD_OVERLEG') return invitedProfessionals(view.data);
    return {};
  }

  function questions(record: CaseRecord): string {
    if (record.informationRequests.length === 0) return '';
    const rows = record.informationRequests.map((q, i) => {
      const answer = record.informationAnswers[i];
      return [when(q.at), esc(q.question), answer ? esc(answer.answer) : '<strong>Nog niet beantwoord</strong>'];
    });
    return `<section aria-labelledby="kop-vragen"><h2 class="utrecht-heading-2" id="kop-vragen">Vragen van het expertteam</h2>
${table('Vragen en antwoorden', ['Gevraagd', 'Vraag', 'Antwoord'], rows)}</section>`;
  }

  /**
   * The file (DESIGN §6.2), from the aanmelding to the progress reports, as the case page and its
   * printable summary show it; with the trail's `entries`, who recorded each consent and report.
   */
  function fileSections(view: CaseView, now: Date, entries?: Trail['entries'], authors?: Map<string, string>, icsLink = false): string {
    const record = view.data;
    return `${intake(record, now)}
${consentAndAuthority(record, now, entries && recorders(entries, 'UPDATE_CONSENT', whoActed))}
${triage(record)}
${questions(record)}
${overleg(record, icsLink ? `/casussen/${view.id}/overleg.ics` : undefined)}
${advice(record, new Map(view.helpItems.flatMap((i) => (i.waitingWeeksNow === undefined ? [] : [[i.id, i.waitingWeeksNow] as const]))))}
${bridging(record)}
${escalation(view)}
${commitments(view)}
${progress(view.id, record, view.notesTotal, entries, authors)}`;
  }

  /**
   * Progress reports and notes, newest first: what the people around the case wrote down. The
   * record carries the latest notes only; `notesTotal` counts them all. Who wrote each one comes
   * from the trail for those who read it (expert team, inspector), and for the others from the
   * notes read (`noteAuthors`: notes only; a progress report's author is in the trail alone).
   */
  function progress(id: string, record: CaseRecord, notesTotal: number, entries?: Trail['entries'], noteBy?: Map<string, string>): string {
    const authors = noteBy ?? new Map((entries ?? []).filter((e) => e.type === 'ADD_NOTE' || e.type === 'REPORT_PROGRESS')
      .map((e) => [`${e.type}@${e.at}`, whoActed(e.actor)]));
    const items = [
      ...record.progressReports.map((p) => ({ at: p.at, what: 'Voortgang', key: `REPORT_PROGRESS@${p.at}`, text: [
        helpStartedText(record, p),
        p.onTrack ? 'Het loopt volgens plan.' : 'Het loopt niet volgens plan.',
        p.familyView ? `Jongere en ouders: ${p.familyView}` : '', p.notes ?? '',
      ].filter(Boolean).join(' ') })),
      ...record.notes.map((n) => ({ at: n.at, what: 'Notitie', key: `ADD_NOTE@${n.at}`, text: n.text })),
    ].sort((a, b) => b.at.localeCompare(a.at));
    if (items.length === 0) return '';
    const shown = items.slice(0, PROGRESS_SHOWN);
    const total = record.progressReports.length + notesTotal;
    const caption = total > shown.length ? `De laatste ${shown.length} van ${total}` : 'Nieuwste eerst';
    const body = entries || noteBy
      ? table(caption, ['Wanneer', 'Wat', 'Door', 'Tekst'], shown.map((i) => [when(i.at), esc(i.what), esc(authors.get(i.key) ?? '—'), esc(i.text)]))
      : table(caption, ['Wanneer', 'Wat', 'Tekst'], shown.map((i) => [when(i.at), esc(i.what), esc(i.text)]));
    return `<section aria-labelledby="kop-voortgang"><h2 class="utrecht-heading-2" id="kop-voortgang">Voortgang en notities</h2>
${body}
${notesTotal > 0 ? `<p class="utrecht-paragraph">${link(`/casussen/${id}/notities`, `Alle ${notesTotal} notitie${notesTotal === 1 ? '' : 's'}, te doorzoeken`)}</p>` : ''}</section>`;
  }

  /**
   * Whether the help had started when the progress was reported, as the help items say (their
   * status as recorded by then), so that the report cannot disagree with them. What the
   * reporter ticked is said only where the items do not show it.
   */
  function helpStartedText(record: CaseRecord, report: CaseRecord['progressReports'][number]): string {
    const items = record.helpItems.map((item) => item.history.filter((h) => h.at <= report.at).at(-1)?.status)
      .filter((status): status is NonNullable<typeof status> => status !== undefined);
    if (items.length === 0) return report.helpStarted ? 'Gemeld: de hulp is gestart.' : 'Gemeld: de hulp is nog niet gestart.';
    const started = items.filter((status) => status === 'started').length;
    const state = started === items.length ? `De hulp is gestart: ${items.length === 1 ? 'het hulponderdeel is' : `alle ${items.length} hulponderdelen zijn`} gestart.`
      : `${started} van de ${items.length} hulponderdelen ${started === 1 ? 'was' : 'waren'} toen gestart.`;
    const differs = report.helpStarted !== (started === items.length);
    return differs ? `${state} (Gemeld was: de hulp is ${report.helpStarted ? '' : 'nog niet '}gestart.)` : state;
  }

  function escalation(view: CaseView): string {
    const e = view.escalation;
    if (!e) return '';
    const latestReason = view.data.escalations.at(-1)?.reason;
    return `<section aria-labelledby="kop-opschaling"><h2 class="utrecht-heading-2" id="kop-opschaling">Opschaling</h2>
${dataList([
    ['Naar', esc(label(e.to))], ['Aan', esc(e.target)], ['Vraag', esc(e.question)], ['Sinds', when(e.since)],
    ...(latestReason ? [['Waarom opgeschaald', esc(latestReason)] as [string, string]] : []),
    ['Stand', esc(e.status === 'answered' ? 'Beantwoord' : e.status === 'withdrawn' ? 'Ingetrokken' : 'Nog niet beantwoord')],
    ...(e.status === 'open' ? [['Antwoord uiterlijk', e.dueAt ? when(e.dueAt) : '—'] as [string, string]] : []),
    ...(e.outcome ? [['Besluit', esc(e.outcome.decision)], ['Besloten door', esc(e.outcome.decidedBy)]] as [string, string][] : []),
    ...(e.withdrawnReason ? [['Waarom ingetrokken', esc(e.withdrawnReason)] as [string, string]] : []),
  ])}</section>`;
  }

  /** The commitments (afspraken) of the overleg and the escalation, each until it is settled (§6.1). */
  function commitments(view: CaseView): string {
    if (view.commitments.length === 0) return '';
    const overdue = new Set(view.overdueDeadlines.map((d) => d.commitmentId).filter(Boolean));
    const rows = view.commitments.map((c) => [
      esc(c.organisation), esc(c.action), esc(c.source === 'overleg' ? 'Overleg' : 'Opschaling'), when(c.dueAt, false),
      c.status === 'open' && overdue.has(c.id) ? '<strong>Open, termijn verstreken</strong>' : esc(label(c.status)),
      c.reason ? esc(c.reason) : c.settledOn ? when(c.settledOn, false) : '—',
    ]);
    const open = view.commitments.filter((c) => c.status === 'open').length;
    return `<section aria-labelledby="kop-afspraken"><h2 class="utrecht-heading-2" id="kop-afspraken">Afspraken</h2>
<p class="utrecht-paragraph">${open === 0 ? 'Alle afspraken zijn afgehandeld.' : `${open} van ${view.commitments.length} afspraken staan nog open. De casus sluit pas als elke afspraak is afgehandeld.`}</p>
${table('Wie doet wat, en wanneer', ['Wie', 'Wat', 'Gemaakt bij', 'Uiterlijk', 'Stand', 'Toelichting of datum'], rows)}</section>`;
  }

  /** How a closed case ended, and why, in the words the team wrote (§6.1): what the referrer needs to know. */
  function ending(view: CaseView): string {
    const closure = view.data.closure;
    if (view.state !== 'closed' || !closure || !view.closedAs) return '';
    const items: [string, string][] = [['Uitkomst', esc(CLOSED_AS_LABELS[view.closedAs] ?? view.closedAs)], ['Op', when(closure.at)]];
    switch (closure.type) {
      case 'DECLINE':
        items.push(['Waarom niet', esc(closure.reason)], ['Advies aan de aanmelder', esc(closure.adviceToReferrer)]);
        break;
      case 'CONSULT':
        items.push(['Advies', esc(closure.advice)]);
        break;
      case 'WITHDRAW':
        items.push(['Waarom ingetrokken', esc(closure.reason)]);
        break;
      case 'CLOSE':
        items.push(['Past de hulp volgens jongere en ouders?', esc(label(closure.familyViewOfFit))]);
        if (closure.explanation) items.push(['Toelichting', esc(closure.explanation)]);
        if (closure.lessonsLearned) items.push(['Wat leren we hiervan?', esc(closure.lessonsLearned)]);
        break;
      case 'ESCALATE':
        items.push(['Reden', esc(closure.reason)]);
        break;
    }
    return `<section aria-labelledby="kop-afsluiting"><h2 class="utrecht-heading-2" id="kop-afsluiting">Afsluiting</h2>
${dataList(items)}</section>`;
  }
}
