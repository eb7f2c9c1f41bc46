/**
 * The console's pages of the region's supply (DESIGN §6.4): the admin registers offers and reports
 * their waiting times (Beheer → Aanbod), the expert team reads the register, a provider reports the
 * waiting times of its own offers, and the expert team and inspectors read the supply report. Thin:
 * every check is the offers service's (src/offers/offer-service.ts), as for the API.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { municipalityName } from '../../machines/referral.municipalities.ts';
import { LAWS } from '../../machines/referral.schemas.ts';
import { AppError } from '../errors.ts';
import { OFFER_KIND_LABELS, ROLE_LABELS, WAITING_TIME_SOURCE_LABELS, weeksNl } from '../http/labels-nl.ts';
import type { Offer } from '../offers/offers.ts';
import { supplySections } from '../reports/supply-html.ts';
import { UUID } from '../validation.ts';
import type { ConsoleContext, Person } from './context.ts';
import { errorSummary, errorItems, formValues, readForm, renderFields, type Field, type FieldErrors, type FormValues } from './form.ts';
import { OFFER_KIND_OPTIONS } from './forms-nl.ts';
import { fieldErrorsOf } from './errors-nl.ts';
import { csrfField, esc, page, table, when } from './page.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const LAW_NAMES: Record<string, string> = {
  jeugdwet: 'Jeugdwet', wmo: 'Wmo', wlz: 'Wlz', zvw: 'Zorgverzekeringswet', onderwijs: 'Onderwijs', other: 'Anders',
};

const OFFER_FIELDS: readonly Field[] = [
  { kind: 'text', name: 'provider', label: 'Aanbieder', required: true,
    hint: 'Naam of kenmerk van de aanbieder: een aanbieder met precies deze organisatie meldt de wachttijden.' },
  { kind: 'text', name: 'name', label: 'Naam van het aanbod', required: true },
  { kind: 'select', name: 'kind', label: 'Soort hulp', required: true, options: OFFER_KIND_OPTIONS },
  { kind: 'multi', name: 'laws', label: 'Wetten', options: LAWS.map((l) => [l, LAW_NAMES[l] ?? l] as const) },
  { kind: 'lines', name: 'municipalities', label: 'Gemeenten', hint: 'Eén CBS-code per regel, bijvoorbeeld GM0363.' },
  { kind: 'number', name: 'minAge', label: 'Vanaf leeftijd' },
  { kind: 'number', name: 'maxAge', label: 'Tot en met leeftijd' },
];

const waitingFields = (source: boolean): Field[] => [
  { kind: 'number', name: 'weeks', label: 'Wachttijd in weken', required: true },
  { kind: 'date', name: 'measuredAt', label: 'Gemeten op', required: true },
  ...source ? [{ kind: 'select', name: 'source', label: 'Opgave van', required: true, options: [
    ['region', 'De regio (beheer)'], ['provider', 'De aanbieder (doorgegeven)'],
  ] } as Field] : [],
];

/** A service refusal as field errors in Dutch: each invalid parameter at its field (a list's at the list), the rest in general. */
function fieldErrors(error: AppError): FieldErrors {
  const errors: FieldErrors = {};
  for (const [name, text] of Object.entries(fieldErrorsOf(error))) errors[name.replace(/\.\d+$/, '')] ??= text;
  return errors;
}

const waiting = (o: Offer): string => (o.waitingTime
  ? `${esc(weeksNl(o.waitingTime.weeks))} (gemeten ${when(o.waitingTime.measuredAt, false)}, ${esc(WAITING_TIME_SOURCE_LABELS[o.waitingTime.source] ?? o.waitingTime.source)})`
  : 'Nog niet gemeld');

const ages = (o: Offer): string => (o.minAge === null && o.maxAge === null ? 'Alle'
  : `${o.minAge ?? 0} tot en met ${o.maxAge ?? 22} jaar`);

const places = (o: Offer): string => o.municipalities.map((c) => municipalityName(c) ?? c).join(', ');

function offerRows(offers: readonly Offer[]): string[][] {
  return offers.map((o) => [esc(o.name), esc(o.provider), esc(OFFER_KIND_LABELS[o.kind] ?? o.kind),
    esc(o.laws.map((l) => LAW_NAMES[l] ?? l).join(', ')), esc(places(o)), esc(ages(o)), waiting(o)]);
}
const OFFER_HEADERS = ['Aanbod', 'Aanbieder', 'Soort hulp', 'Wetten', 'Gemeenten', 'Leeftijd', 'Wachttijd nu'];

export async function offerPages(app: FastifyInstance, ctx: ConsoleContext): Promise<void> {
  const { offerRegister: register, clock, access } = ctx;
  const today = (): string => clock.now().toISOString().slice(0, 10);

  /** One form per offer to report its waiting time; ids kept apart per offer. */
  function reportForms(person: Person, offers: readonly Offer[], action: (id: string) => string,
    failed?: { id: string; values: FormValues; errors: FieldErrors }): string {
    const admin = person.actor.role === 'admin';
    return offers.map((o) => {
      const open = failed?.id === o.id;
      const values = open ? failed.values : { measuredAt: today(), source: 'region' };
      const errors = open ? failed.errors : {};
      return `<details class="console-action" id="wachttijd-${o.id}"${open ? ' open' : ''}><summary>Wachttijd melden: ${esc(o.name)}</summary>
<form method="post" action="${action(o.id)}" novalidate>${csrfField(person.session.csrf)}
${open ? errorSummary(errorItems(waitingFields(admin), values, errors, '', `o${o.id.slice(0, 8)}-`), errors['']) : ''}
${renderFields(waitingFields(admin), values, errors, '', `o${o.id.slice(0, 8)}-`)}
<button class="utrecht-button utrecht-button--primary-action" type="submit">Wachttijd melden<span class="console-sr"> voor ${esc(o.name)}</span></button></form></details>`;
    }).join('\n');
  }

  async function adminPage(person: Person, notice: string | null, values: FormValues = {}, errors: FieldErrors = {},
    failed?: { id: string; values: FormValues; errors: FieldErrors }): Promise<string> {
    const offers = await register.list(person.actor);
    const csrf = person.session.csrf;
    const wrong = errors[''] !== undefined;
    return page({
      title: `Aanbod van regio ${person.actor.region}`, user: ctx.pageUser(person), path: '/beheer/aanbod',
      notice: wrong ? { kind: 'error', text: errors[''] ?? '' } : failed ? { kind: 'error', text: failed.errors[''] ?? '' }
        : notice ? { kind: 'ok', text: notice } : null,
    }, `<p class="utrecht-paragraph">Het aanbodregister van de regio: wat aanbieders bieden, en hun wachttijden. Het expertteam
kiest bij een advies een aanbod uit dit register; aanbieders melden zelf hun wachttijden (rol ${esc(ROLE_LABELS.provider)}).</p>
${table('Aanbod in het register', OFFER_HEADERS, offerRows(offers))}
${offers.length > 0 ? `<h2 class="utrecht-heading-2">Wachttijden melden</h2>${reportForms(person, offers, (id) => `/beheer/aanbod/${id}/wachttijd`, failed)}` : ''}
<section aria-labelledby="kop-nieuw"><h2 class="utrecht-heading-2" id="kop-nieuw">Aanbod toevoegen</h2>
${wrong ? errorSummary(errorItems(OFFER_FIELDS, values, errors, '', 'nieuw-'), errors['']) : ''}
<form method="post" action="/beheer/aanbod" novalidate>${csrfField(csrf)}${renderFields(OFFER_FIELDS, values, errors, '', 'nieuw-')}
<button class="utrecht-button utrecht-button--primary-action" type="submit">Toevoegen</button></form></section>`);
  }

  app.get('/beheer/aanbod', async (request, reply) => {
    const person = ctx.person(request, ['admin']);
    const done = (request.query as Record<string, unknown>).gedaan;
    return ctx.send(reply, await adminPage(person, done === 'aanbod' ? 'Het aanbod is toegevoegd.'
      : done === 'wachttijd' ? 'De wachttijd is gemeld.' : null));
  });

  app.post('/beheer/aanbod', async (request, reply) => {
    const person = ctx.person(request, ['admin']);
    const values = formValues(request.body);
    try {
      await register.register(person.actor, readForm(OFFER_FIELDS, values));
      return reply.redirect('/beheer/aanbod?gedaan=aanbod', 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400 && err.status !== 422) throw err;
      return ctx.send(reply, await adminPage(person, null, values, fieldErrors(err)), err.status);
    }
  });

  /** A waiting time reported from a console form: back to the page, or the form again with its errors. */
  async function reportFrom(person: Person, id: string, body: unknown, reply: FastifyReply, back: string,
    again: (failed: { id: string; values: FormValues; errors: FieldErrors }) => Promise<string>) {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'no such offer');
    const values = formValues(body);
    const fields = waitingFields(person.actor.role === 'admin');
    const read = readForm(fields, values);
    try {
      await register.report(person.actor, id, { source: 'provider', ...read });
      return reply.redirect(`${back}?gedaan=wachttijd`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400 && err.status !== 422) throw err;
      return ctx.send(reply, await again({ id, values, errors: fieldErrors(err) }), err.status);
    }
  }

  app.post('/beheer/aanbod/:id/wachttijd', async (request, reply) => {
    const person = ctx.person(request, ['admin']);
    return reportFrom(person, (request.params as { id: string }).id, request.body, reply, '/beheer/aanbod',
      (failed) => adminPage(person, null, {}, {}, failed));
  });

  async function providerPage(person: Person, notice: string | null, failed?: { id: string; values: FormValues; errors: FieldErrors }) {
    const offers = await register.list(person.actor);
    return page({
      title: 'Wachttijden van uw aanbod', user: ctx.pageUser(person), path: '/wachttijden',
      notice: failed ? { kind: 'error', text: failed.errors[''] ?? '' } : notice ? { kind: 'ok', text: notice } : null,
    }, `<p class="utrecht-paragraph">Meld hier de actuele wachttijd van elk aanbod van ${esc(person.actor.organisation)}. Het
expertteam ziet bij een advies de wachttijd die u meldt, en de regio houdt bij hoe wachttijden zich ontwikkelen.</p>
${table('Uw aanbod in het register', OFFER_HEADERS, offerRows(offers))}
${offers.length === 0 ? '<p class="utrecht-paragraph">De regio heeft nog geen aanbod van u in het register gezet.</p>'
    : reportForms(person, offers, (id) => `/wachttijden/${id}`, failed)}`);
  }

  app.get('/wachttijden', async (request, reply) => {
    const person = ctx.person(request, ['provider']);
    const done = (request.query as Record<string, unknown>).gedaan;
    return ctx.send(reply, await providerPage(person, done === 'wachttijd' ? 'De wachttijd is gemeld.' : null));
  });

  app.post('/wachttijden/:id', async (request, reply) => {
    const person = ctx.person(request, ['provider']);
    return reportFrom(person, (request.params as { id: string }).id, request.body, reply, '/wachttijden',
      (failed) => providerPage(person, null, failed));
  });

  app.get('/aanbod', async (request, reply) => {
    const person = ctx.person(request, ['expert_team']);
    const offers = await register.list(person.actor);
    return ctx.send(reply, page({ title: 'Aanbod in de regio', user: ctx.pageUser(person), path: '/aanbod' },
      `<p class="utrecht-paragraph">Het aanbodregister van de regio met de laatst gemelde wachttijden. Vertrek bij een advies vanuit
de vraag: past geen bestaand aanbod, dan is maatwerk nodig (en zegt u waarom). Zie ook
<a class="utrecht-link utrecht-link--html-a" href="/aanbodrapportage">aanbod en wachttijden over een periode</a>.</p>
${table('Aanbod in het register', OFFER_HEADERS, offerRows(offers))}`));
  });

  app.get('/aanbodrapportage', async (request, reply) => {
    // A municipality reads its own municipality's figures, suppressed (§6.4; the service scopes it).
    const person = ctx.person(request, ['expert_team', 'inspector', 'municipality']);
    const q = request.query as Record<string, unknown>;
    const van = typeof q.van === 'string' && MONTH.test(q.van) ? q.van : undefined;
    const tot = typeof q.tot === 'string' && MONTH.test(q.tot) ? q.tot : undefined;
    const regio = typeof q.regio === 'string' && /^[\w-]{1,64}$/.test(q.regio) ? q.regio : undefined;
    const national = person.actor.region === '*';
    const form = `<form method="get" action="/aanbodrapportage" class="console-filters">
${national ? `<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="regio">Regio</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="regio" name="regio" value="${esc(regio)}"></p></div>` : ''}
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="van">Van maand</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="month" id="van" name="van" value="${esc(van)}"></p></div>
<div class="utrecht-form-field"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="tot">Tot en met maand</label></p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="month" id="tot" name="tot" value="${esc(tot)}"></p></div>
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Tonen</button></form>`;
    if (national && regio === undefined) {
      return ctx.send(reply, page({ title: 'Aanbod en wachttijden', user: ctx.pageUser(person), path: '/aanbodrapportage' },
        `<p class="utrecht-paragraph">Kies de regio waarvan u aanbod en wachttijden wilt zien.</p>${form}`));
    }
    const report = await ctx.supply.report(person.actor, {
      ...van ? { from: van } : {}, ...tot ? { to: tot } : {}, ...national ? { region: regio } : {},
    });
    await access.record(request, person.actor, 'report.read', []);
    const whose = report.municipality ? `gemeente ${municipalityName(report.municipality) ?? report.municipality}` : `regio ${report.region}`;
    return ctx.send(reply, page({ title: `Aanbod en wachttijden ${whose}`, user: ctx.pageUser(person), path: '/aanbodrapportage' },
      `<p class="utrecht-paragraph">Welke hulp is geadviseerd, hoe lang erop gewacht wordt (bij het advies en nu), wat niet
startte omdat er geen plek was, en waar maatwerk nodig was. Zie ook de <a class="utrecht-link utrecht-link--html-a" href="/signalering">signalering</a>.</p>
${form}<div class="console-report">${supplySections(report)}</div>`));
  });
}
