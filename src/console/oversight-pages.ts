/**
 * The console's pages for oversight and management: the inspector's file review, the audit
 * verification and the signalering report. The admin's Beheer is in beheer-pages.ts.
 */
import type { FastifyInstance } from 'fastify';
import { UUID } from '../validation.ts';
import { ACCESS_LABELS, CLOSED_AS_LABELS, dutchDate, ROLE_LABELS, STATE_LABELS } from '../http/labels-nl.ts';
import { csvField } from '../reports/signalering-csv.ts';
import { ACCESS_ACTIONS, type AccessAction } from '../audit/access-log.ts';
import { accessPage, type AccessFilter } from './access-review.ts';
import { municipalityName } from '../../machines/referral.municipalities.ts';
import { LIFECYCLE_STATES } from '../../machines/referral.types.ts';
import { endOfMonth } from '../reports/period.ts';
import { signaleringSections } from '../reports/signalering-html.ts';
import { errorSummary, type FieldErrors } from './form.ts';
import { alert, dataList, esc, page, stateBadge, table, when } from './page.ts';
import type { ConsoleContext } from './context.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** The most cases one search of the file review finds. */
const SEARCH_LIMIT = 500;

const CRITERIA = [
  ['achterstallig', 'Over de termijn'],
  ['nietBetrokken', 'Jongere of ouders niet betrokken bij het overleg'],
  ['gezinOneens', 'Jongere of ouders oneens met het advies'],
  ['zonderHulp', 'Afgesloten zonder dat alle hulp startte'],
  ['opgeschaald', 'Opgeschaald'],
] as const;

export async function oversightPages(app: FastifyInstance, ctx: ConsoleContext): Promise<void> {
  const { queries, access, clock, verifier, audit } = ctx;

  app.get('/dossieronderzoek', async (request, reply) => {
    const person = ctx.person(request, ['inspector']);
    const q = request.query as Record<string, unknown>;
    const text = (name: string): string => (typeof q[name] === 'string' ? (q[name] as string).trim().slice(0, 200) : '');
    const state = (LIFECYCLE_STATES as readonly string[]).includes(text('status')) ? text('status') : undefined;
    const from = DATE.test(text('van')) ? text('van') : undefined;
    const to = DATE.test(text('tot')) ? text('tot') : undefined;
    const reference = text('kenmerk');
    const ticked = new Set(CRITERIA.filter(([name]) => q[name] === 'ja').map(([name]) => name));
    const searched = Object.keys(q).length > 0;
    // A period that cannot hold a case is a mistake to say, not "0 dossiers".
    const errors: FieldErrors = {};
    if (text('van') !== '' && !from) errors.van = 'Vul een datum in als dag-maand-jaar.';
    if (text('tot') !== '' && !to) errors.tot = 'Vul een datum in als dag-maand-jaar.';
    if (from && to && from > to) errors.tot = `"Aangemeld tot en met" (${dutchDate(to)}) ligt vóór "Aangemeld vanaf" (${dutchDate(from)}).`;
    const wrong = Object.keys(errors).length > 0;
    // The referrer's reference is searched by the store, as a part of it in any case, among all cases.
    const items = searched && !wrong ? await queries.worklist(person.actor, {
      state, from: from && `${from}T00:00:00.000Z`, to: to && `${to}T23:59:59.999Z`,
      overdue: ticked.has('achterstallig'), notInvolved: ticked.has('nietBetrokken'),
      familyDisagrees: ticked.has('gezinOneens'), closedWithoutHelp: ticked.has('zonderHulp'),
      escalated: ticked.has('opgeschaald'), reference: reference || undefined, limit: SEARCH_LIMIT,
    }) : [];
    if (searched && !wrong) await access.record(request, person.actor, 'case.list', items.map((i) => i.id));
    const cells = (i: (typeof items)[number]) => ({
      reference: i.reference ?? i.id.slice(0, 8), state: i.state === 'closed' && i.closedAs ? CLOSED_AS_LABELS[i.closedAs] ?? i.closedAs : STATE_LABELS[i.state] ?? i.state,
      municipality: municipalityName(i.municipality) ?? i.municipality, overdue: i.overdue ? 'Ja' : 'Nee',
    });
    if (text('formaat') === 'csv' && searched && !wrong) {
      const lines = [['kenmerk', 'status', 'gemeente', 'gemeentecode', 'aangemeld', 'over de termijn', 'casus-id'],
        ...items.map((i) => {
          const c = cells(i);
          return [c.reference, c.state, c.municipality, i.municipality, i.createdAt, c.overdue, i.id];
        })];
      return reply.type('text/csv; charset=utf-8; header=present')
        .header('Content-Disposition', `attachment; filename="dossieronderzoek-${clock.now().toISOString().slice(0, 10)}.csv"`)
        .send(`${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`);
    }
    const stateOptions = LIFECYCLE_STATES.map((s) => `<option value="${s}"${s === state ? ' selected' : ''}>${esc(STATE_LABELS[s])}</option>`).join('');
    const rows = items.map((i) => {
      const c = cells(i);
      return [`<a class="utrecht-link utrecht-link--html-a" href="/casussen/${i.id}">${esc(c.reference)}</a>`,
        stateBadge(i.state, i.closedAs, i.overdue === 1), esc(c.municipality), when(i.createdAt), esc(c.overdue)];
    });
    const csvQuery = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'formaat'));
    csvQuery.set('formaat', 'csv');
    const dateField = (name: 'van' | 'tot', labelText: string) => {
      const error = errors[name];
      return `<div class="utrecht-form-field${error ? ' utrecht-form-field--invalid' : ''}"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="${name}">${labelText}</label></p>
${error ? `<p class="utrecht-form-field-error-message" id="${name}-fout">${esc(error)}</p>` : ''}
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input${error ? ' utrecht-textbox--invalid' : ''}" type="date" id="${name}" name="${name}" value="${esc(text(name))}"${error ? ` aria-invalid="true" aria-describedby="${name}-fout"` : ''}></p></div>`;
    };
    const summary = wrong ? errorSummary(Object.entries(errors).map(([id, message]) => ({
      id, text: `${id === 'van' ? 'Aangemeld vanaf' : 'Aangemeld tot en met'}: ${message}`,
    })), 'Met deze periode kan er geen dossier gevonden worden. Er is niet gezocht.') : '';
    return ctx.send(reply, page({ title: 'Dossieronderzoek', user: ctx.pageUser(person), path: '/dossieronderzoek' }, `${summary}
<p class="utrecht-paragraph">Zoek dossiers op wat de inspectie wil toetsen. Doel van uw inzage: <strong>${esc(person.session.purpose)}</strong>
(<a class="utrecht-link utrecht-link--html-a" href="/doel">wijzigen</a>).</p>
<form method="get" action="/dossieronderzoek" class="console-filters">
<input type="hidden" name="zoek" value="ja">
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="kenmerk">Kenmerk van de aanmelder</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="kenmerk" name="kenmerk" maxlength="200" value="${esc(reference)}"></p></div>
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="status">Status</label></p>
<p class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="status" name="status"><option value="">Alle</option>${stateOptions}</select></p></div>
${dateField('van', 'Aangemeld vanaf')}
${dateField('tot', 'Aangemeld tot en met')}
<fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset"><legend class="utrecht-form-fieldset__legend">Alleen dossiers waarin</legend>
${CRITERIA.map(([name, label]) => `<div class="utrecht-form-field utrecht-form-field--checkbox"><p class="utrecht-form-field__input"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id="${name}" name="${name}" value="ja"${ticked.has(name) ? ' checked' : ''}></p>
<p class="utrecht-form-field__label utrecht-form-field__label--checkbox"><label class="utrecht-form-label utrecht-form-label--checkbox" for="${name}">${esc(label)}</label></p></div>`).join('\n')}
</fieldset>
<button class="utrecht-button utrecht-button--primary-action" type="submit">Zoeken</button></form>
${searched && !wrong ? `${table(`${items.length} dossier${items.length === 1 ? '' : 's'} gevonden`, ['Kenmerk', 'Status', 'Gemeente', 'Aangemeld', 'Over de termijn'], rows)}
${items.length === SEARCH_LIMIT ? `<p class="utrecht-paragraph">Alleen de eerste ${SEARCH_LIMIT} gevonden dossiers staan hier; maak de zoekvraag nauwer.</p>` : ''}
${items.length > 0 ? `<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="/dossieronderzoek?${esc(csvQuery.toString())}" download>Deze ${items.length} dossier${items.length === 1 ? '' : 's'} downloaden als CSV</a></p>` : ''}` : ''}`), wrong ? 400 : 200);
  });

  /**
   * The region's access log (NEN 7513) for the inspector: who read which case, when, for what
   * purpose, and which reads were refused; paged, filtered by person, case, action and refused.
   * A regional inspector sees only the ids of the region's own cases (as the API's log does).
   */
  app.get('/toegangslog', async (request, reply) => {
    const person = ctx.person(request, ['inspector']);
    const q = request.query as Record<string, unknown>;
    const text = (name: string): string => (typeof q[name] === 'string' ? (q[name] as string).trim().slice(0, 200) : '');
    const region = person.actor.region;
    const asked = text('casus');
    // A reference names the cases whose reference it is exactly, found by the store among all the region's cases.
    const named = asked === '' || UUID.test(asked) ? []
      : (await queries.worklist(person.actor, { reference: asked, limit: SEARCH_LIMIT })).filter((i) => i.reference === asked);
    const caseIds = asked === '' ? undefined : UUID.test(asked) ? [asked.toLowerCase()] : named.map((i) => i.id);
    const action = (ACCESS_ACTIONS as readonly string[]).includes(text('actie')) ? text('actie') as AccessAction : undefined;
    const before = /^\d{1,15}$/.test(text('voor')) ? Number(text('voor')) : undefined;
    const filter: AccessFilter = { who: text('wie') || undefined, caseIds, action, refusedOnly: q.geweigerd === 'ja', before };
    // A case id of another region finds nothing, so that the filter cannot tell whether it exists.
    const ownCase = caseIds === undefined || region === '*' ? true
      : caseIds.length > 0 && (await access.ofRegion(region, caseIds)).size > 0;
    const result = caseIds?.length === 0 || !ownCase
      ? { lines: [], next: null }
      : await accessPage(access, region, filter);
    const idsOf = result.lines.map((l) => JSON.parse(l.caseIds) as string[]);
    // The ids of the region's cases among the lines (all, for region *), with their references to show them by.
    const own = await access.ofRegion(region, [...new Set(idsOf.flat())]);
    const shown = idsOf.map((ids) => (region === '*' ? ids : ids.filter((id) => own.has(id))));
    await access.record(request, person.actor, 'access_log.read', [...new Set(shown.flat())]);
    const caseCell = (ids: string[]): string => (ids.length === 0 ? '—' : ids.length > 3 ? esc(`${ids.length} casussen`)
      : ids.map((id) => `<a class="utrecht-link utrecht-link--html-a" href="/casussen/${id}">${esc(own.get(id) ?? id.slice(0, 8))}</a>`).join(', '));
    const rows = result.lines.map((l, i) => [
      when(l.at), esc(l.actorName), esc(`${ROLE_LABELS[l.actorRole] ?? l.actorRole}, ${ctx.orgName(l.actorOrganisation)}`),
      esc(ACCESS_LABELS[l.action] ?? l.action), caseCell(shown[i] ?? []), esc(l.purpose ?? '—'),
      l.outcome === 'refused' ? '<strong>Geweigerd</strong>' : 'Getoond',
    ]);
    const keep = new URLSearchParams(Object.entries({ wie: filter.who ?? '', casus: asked, actie: action ?? '', geweigerd: filter.refusedOnly ? 'ja' : '' })
      .filter(([, v]) => v !== ''));
    const nextHref = result.next === null ? '' : `/toegangslog?${new URLSearchParams([...keep, ['voor', String(result.next)]]).toString()}`;
    const actionOptions = ACCESS_ACTIONS.map((a) => `<option value="${a}"${a === action ? ' selected' : ''}>${esc(ACCESS_LABELS[a] ?? a)}</option>`).join('');
    const caption = result.lines.length === 0 ? 'Regels' : `${before === undefined ? 'De nieuwste' : 'Volgende'} ${result.lines.length} regel${result.lines.length === 1 ? '' : 's'}`;
    return ctx.send(reply, page({ title: `Toegangslog ${region === '*' ? 'alle regio\'s' : `regio ${region}`}`, user: ctx.pageUser(person), path: '/toegangslog' }, `
<p class="utrecht-paragraph">Wie welke casus las, wanneer, met welk doel, en welke inzage werd geweigerd (NEN 7513), nieuwste eerst.
Ook uw eigen inzage staat hierin.</p>
<form method="get" action="/toegangslog" class="console-filters">
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="wie">Wie (naam of organisatie)</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="wie" name="wie" maxlength="200" value="${esc(filter.who ?? '')}"></p></div>
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="casus">Casus (kenmerk)</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="casus" name="casus" maxlength="200" value="${esc(asked)}"></p></div>
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="actie">Wat</label></p>
<p class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="actie" name="actie"><option value="">Alles</option>${actionOptions}</select></p></div>
<div class="utrecht-form-field utrecht-form-field--checkbox"><p class="utrecht-form-field__input"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id="geweigerd" name="geweigerd" value="ja"${filter.refusedOnly ? ' checked' : ''}></p>
<p class="utrecht-form-field__label utrecht-form-field__label--checkbox"><label class="utrecht-form-label utrecht-form-label--checkbox" for="geweigerd">Alleen geweigerde inzage</label></p></div>
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Filteren</button></form>
${asked !== '' && (caseIds?.length === 0 || !ownCase) ? alert('info', 'Er is in uw regio geen casus met dit kenmerk.') : ''}
${table(caption, ['Wanneer', 'Wie', 'Rol en organisatie', 'Wat', 'Casus', 'Doel', 'Uitkomst'], rows)}
${nextHref ? `<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="${esc(nextHref)}">Oudere regels</a></p>` : ''}
${before !== undefined ? `<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="${esc(`/toegangslog${keep.size > 0 ? `?${keep.toString()}` : ''}`)}">Terug naar de nieuwste regels</a></p>` : ''}`));
  });

  app.get('/audit', async (request, reply) => {
    const person = ctx.person(request, ['inspector', 'admin']);
    const run = (request.query as Record<string, unknown>).controleer === 'ja';
    let result = '';
    if (run) {
      const outcome = await verifier.verify(true);
      await access.record(request, person.actor, 'audit.verify', []);
      const view = person.actor.region === '*' ? { checked: outcome.checked, head: outcome.head }
        : await audit.regionView(person.actor.region, outcome);
      result = `${outcome.ok ? alert('ok', 'Het logboek klopt: geen vastlegging is gewijzigd, verwijderd of tussengevoegd.')
        : alert('error', `Het logboek klopt niet vanaf vastlegging ${outcome.firstBroken?.seq ?? '?'}. Meld dit direct.`, 'alert')}
${dataList([
    ['Gecontroleerd', esc(`${view.checked} vastleggingen${person.actor.region === '*' ? '' : ` van regio ${person.actor.region}`}`)],
    ['Controlecode (kop)', `<code class="utrecht-code console-hash">${esc(view.head)}</code>`],
    ['Moment', when(clock.now().toISOString())],
  ])}
<p class="utrecht-paragraph">Noteer de controlecode: komt hij later niet meer voor, dan is er iets weggehaald.</p>`;
    }
    return ctx.send(reply, page({ title: 'Controle van het logboek', user: ctx.pageUser(person), path: '/audit' }, `
<p class="utrecht-paragraph">Elke vastlegging draagt een controlecode die aan de vorige is gekoppeld, per casus en over het hele logboek.
De controle rekent alle codes na.</p>
<form method="get" action="/audit"><input type="hidden" name="controleer" value="ja">
<button class="utrecht-button utrecht-button--primary-action" type="submit">Nu controleren</button></form>
${result}`));
  });

  app.get('/signalering', async (request, reply) => {
    const person = ctx.person(request, ['expert_team', 'inspector', 'municipality']);
    const q = request.query as Record<string, unknown>;
    const van = typeof q.van === 'string' && MONTH.test(q.van) ? q.van : undefined;
    const tot = typeof q.tot === 'string' && MONTH.test(q.tot) ? q.tot : undefined;
    const report = await ctx.signalering.report(person.actor, {
      from: van && `${van}-01`, to: tot && endOfMonth(`${tot}-01`),
    } as Parameters<typeof ctx.signalering.report>[1]);
    await access.record(request, person.actor, 'report.read', []);
    // A municipality reads its own municipality's figures, small counts left out (§6.4).
    const own = report.municipality;
    const title = own ? `Signalering gemeente ${municipalityName(own) ?? own}`
      : `Signalering ${report.region === '*' ? 'alle regio\'s' : `regio ${report.region}`}`;
    const about = own
      ? 'Hoeveel kinderen uit uw gemeente vastlopen, waar en hoe lang. Aantallen kleiner dan 5 zijn weggelaten (zo worden ze ook gepubliceerd): zo is geen kind te herkennen. Casussen ziet u niet.'
      : 'Hoeveel kinderen vastlopen, waar en hoe lang: de exacte aantallen van uw regio. Niet om zo te publiceren; cijfers voor publicatie laten kleine aantallen weg.';
    return ctx.send(reply, page({ title, user: ctx.pageUser(person), path: '/signalering' }, `
<p class="utrecht-paragraph">${esc(about)}</p>
<form method="get" action="/signalering" class="console-filters">
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="van">Van maand</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="month" id="van" name="van" value="${esc(report.period.from.slice(0, 7))}"></p></div>
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="tot">Tot en met maand</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="month" id="tot" name="tot" value="${esc(report.period.to.slice(0, 7))}"></p></div>
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Tonen</button></form>
<p class="utrecht-paragraph">Wachttijden per soort hulp en maatwerk: zie <a class="utrecht-link utrecht-link--html-a" href="/aanbodrapportage">aanbod en wachttijden</a>.</p>
<div class="console-report">${signaleringSections(report)}</div>`));
  });
}
