/**
 * Beheer (DESIGN §6.3): the admin's people, API clients and region settings.
 *
 * - An admin never sees a sign-in link or code: with one, an admin could sign in as a person who
 *   reads files. A new link ("Nieuwe inloglink sturen", and for a person just added) is mailed to
 *   that person's own address; without SMTP_URL the page says to ask whoever runs the service,
 *   who has the command line (`user sign-in-link`).
 * - Disabling asks for a confirmation first; a disabled person can be enabled again.
 * - Role and organisation can be changed; the person's sessions end with it.
 * - A regional admin gives only the region's workers' roles (wijkteam, expertteam): asking for an
 *   inspector or an admin, even by a forged form, is 403 and changes nothing. Inspectors and
 *   admins are made with the command line, or by an admin of region `*`.
 * - Region deadlines are edited in days, weeks or months (stored as ISO 8601 durations).
 * - API clients are listed with their last use (src/auth/last-use.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isCleanText } from '../../machines/referral.text.ts';
import { municipalityName } from '../../machines/referral.municipalities.ts';
import type { Role } from '../../machines/referral.schemas.ts';
import type { Operator } from '../auth/actors.ts';
import { DuplicateEmail, isEmail, SIGN_IN_LINK_MINUTES } from '../auth/people.ts';
import { AppError } from '../errors.ts';
import { durationNl, ROLE_LABELS } from '../http/labels-nl.ts';
import { signInMail } from '../notifications/mail.ts';
import type { DeadlineSettings } from '../../machines/referral.deadlines.ts';
import type { RegionUpdate } from '../regions/region-settings.ts';
import type { User } from '../store/rows.ts';
import { UUID } from '../validation.ts';
import type { ConsoleContext, Person } from './context.ts';
import { errorSummary, formValues, renderFields, type Field, type FieldErrors, type FormValues } from './form.ts';
import { alert, csrfField, dataList, esc, page, table, when } from './page.ts';
import { signInUrlAt } from './sign-in.ts';

const operatorOf = (person: Person): Operator => ({
  role: person.actor.role, organisation: person.actor.organisation, name: person.actor.name, clientId: person.actor.clientId,
});

/**
 * The roles an admin may give (DESIGN §6.3): a regional admin only the region's workers;
 * inspectors and admins are made with the command line, or by an admin of region `*`.
 */
export const rolesFor = (person: Person): Role[] => (person.actor.region === '*'
  ? ['local_team', 'expert_team', 'inspector', 'admin', 'provider'] : ['local_team', 'expert_team', 'provider']);

/** The region deadlines Beheer edits, with their Dutch names. */
const DEADLINES: readonly (readonly [key: keyof DeadlineSettings, label: string])[] = [
  ['triage', 'Termijn triage'], ['triageUrgent', 'Termijn triage bij spoed'], ['overleg', 'Termijn overleg'],
  ['advice', 'Advies na het overleg'], ['checkpoint', 'Controlemoment'], ['reassessment', 'Herbeoordeling'],
  ['escalation', 'Antwoord op opschaling'],
];

const UNITS = [['D', 'dagen'], ['W', 'weken'], ['M', 'maanden']] as const;
/** The most of each unit a deadline may be: two years. */
const MAX_OF: Record<string, number> = { D: 730, W: 104, M: 24 };

/** An ISO duration as a number and a unit, when it is one of those; else null (shown, left as it is). */
export function inUnits(iso: string): { count: number; unit: 'D' | 'W' | 'M' } | null {
  const match = /^P(\d+)([DWM])$/.exec(iso);
  return match ? { count: Number(match[1]), unit: match[2] as 'D' | 'W' | 'M' } : null;
}

const userFields = (person: Person): Field[] => [
  { kind: 'text', name: 'name', label: 'Naam', required: true },
  { kind: 'email', name: 'email', label: 'E-mailadres', required: true, hint: 'Hierheen gaan inloglinks en meldingen; hiermee herkent ook de inlogdienst (OpenID Connect) de persoon.' },
  { kind: 'select', name: 'role', label: 'Rol', required: true,
    options: rolesFor(person).map((role) => [role, ROLE_LABELS[role]!] as [string, string]) },
  { kind: 'text', name: 'organisation', label: 'Organisatie', required: true, hint: 'Voor wie de persoon werkt, bijvoorbeeld het wijkteam.' },
];

const changeFields = (person: Person): Field[] => userFields(person).filter((f) => f.name === 'role' || f.name === 'organisation');

const settingsFields: Field[] = [
  ...DEADLINES.map(([key, label]): Field => ({
    kind: 'group', name: key, label,
    fields: [
      { kind: 'number', name: 'aantal', label: 'Aantal', required: true },
      { kind: 'select', name: 'eenheid', label: 'Eenheid', required: true, options: UNITS },
    ],
  })),
  { kind: 'number', name: 'bridgingThresholdWeeks', label: 'Overbrugging vanaf (weken wachttijd)', required: true,
    hint: 'Bij een wachttijd vanaf zoveel weken vraagt een advies om overbruggingshulp; 0: nooit.' },
];

export async function beheerPages(app: FastifyInstance, ctx: ConsoleContext): Promise<void> {
  const { clock, regions, people: peopleOf, clients: clientsOf } = ctx;
  /** Beheer works with ids: the name people use, and the id an admin types, side by side. */
  const named = (organisation: string): string => {
    const name = ctx.orgName(organisation);
    return name === organisation ? organisation : `${name} (${organisation})`;
  };

  /** What an admin is told about signing in: mailed, or ask the service's operator. Never a link or code. */
  const howToSignIn = (user: Pick<User, 'name' | 'id'>): string => (ctx.mailer
    ? `<p class="utrecht-paragraph">${esc(user.name)} logt in met de inlogdienst van de organisatie, of met een eenmalige
inloglink die passend naar het e-mailadres van ${esc(user.name)} stuurt. Zo'n link ziet u als beheerder nooit: dan zou u
zelf als ${esc(user.name)} kunnen inloggen.</p>`
    : `<p class="utrecht-paragraph">${esc(user.name)} logt in met de inlogdienst van de organisatie (met dit e-mailadres), of met een
eenmalige inloglink. Zo'n link ziet u als beheerder nooit: dan zou u zelf als ${esc(user.name)} kunnen inloggen.
Deze installatie van passend verstuurt geen e-mail (er is geen mailserver ingesteld).
Vraag daarom wie passend draait (de applicatiebeheerder) een inloglink te maken en die aan ${esc(user.name)} zelf te geven, met de opdracht
<code class="utrecht-code">npm run cli -- user sign-in-link ${esc(user.id)}</code>.</p>`);

  /**
   * Mails a new sign-in link to the person's own address. The link is made only to be mailed:
   * it never reaches the admin's page, a log or the outbox.
   */
  async function mailSignInLink(request: FastifyRequest, user: User): Promise<'sent' | 'no_mail' | 'inactive' | 'failed'> {
    if (!ctx.mailer) return 'no_mail';
    const token = await peopleOf.signInLink(user.id, clock.now());
    if (!token) return 'inactive';
    try {
      await ctx.mailer.send(signInMail(user.email, signInUrlAt(ctx.baseOf(request), token), SIGN_IN_LINK_MINUTES));
      return 'sent';
    } catch (err) {
      request.log.warn({ err, userId: user.id }, 'the sign-in link could not be mailed');
      return 'failed';
    }
  }
  const SENT_TEXT = {
    sent: (name: string) => ({ kind: 'ok' as const, text: `Er is een nieuwe inloglink naar het e-mailadres van ${name} gestuurd. Hij werkt ${SIGN_IN_LINK_MINUTES} minuten.` }),
    failed: (name: string) => ({ kind: 'error' as const, text: `De inloglink voor ${name} kon niet worden verstuurd: de mailserver nam hem niet aan. Probeer het later opnieuw.` }),
  };

  /** A person of the admin's region, or 404 (another region's people do not exist here). */
  async function personOf(admin: Person, id: string): Promise<User> {
    const user = UUID.test(id) ? await peopleOf.get(id) : undefined;
    if (!user || user.region !== admin.actor.region) throw new AppError('NOT_FOUND', 'no such user');
    return user;
  }
  /** A regional admin manages only the roles it may give: an inspector or admin is not theirs to change. */
  function mayManage(admin: Person, user: User): void {
    if (!rolesFor(admin).includes(user.role)) throw new AppError('FORBIDDEN', 'role');
  }

  async function adminPage(person: Person, values: FormValues, errors: FieldErrors,
    notice?: { kind: 'ok' | 'error'; text: string } | null, created?: User, settingsErrors: FieldErrors = {},
    settingsValues?: FormValues): Promise<string> {
    const region = person.actor.region;
    const people = await peopleOf.list(region);
    const clients = (await clientsOf.list()).filter((c) => c.region === region);
    const settings = await regions.get(region);
    const csrf = person.session.csrf;
    const d = settings.env.deadlines;
    const current: FormValues = settingsValues ?? Object.fromEntries<string>([
      ...DEADLINES.flatMap(([key]): [string, string][] => {
        const units = inUnits(d[key]);
        return [[`${key}.aantal`, units ? String(units.count) : ''], [`${key}.eenheid`, units?.unit ?? 'D']];
      }),
      ['bridgingThresholdWeeks', String(settings.env.bridgingThresholdWeeks)],
    ]);
    return page({
      title: `Beheer van regio ${region}`, user: ctx.pageUser(person), path: '/beheer',
      notice: notice ?? (errors[''] ? { kind: 'error', text: errors[''] } : created ? { kind: 'ok', text: `${created.name} is aangemaakt.` } : null),
    }, `
${created ? `<section aria-labelledby="kop-inloggen"><h2 class="utrecht-heading-2" id="kop-inloggen">Hoe ${esc(created.name)} inlogt</h2>
${howToSignIn(created)}</section>` : ''}
<section aria-labelledby="kop-mensen"><h2 class="utrecht-heading-2" id="kop-mensen">Mensen</h2>
${table('Mensen van de regio', ['Naam', 'Rol', 'Organisatie', 'Sinds', 'Toegang', 'Beheren'], people.map((u) => [
    esc(u.name), esc(ROLE_LABELS[u.role] ?? u.role), esc(named(u.organisation)), when(u.createdAt, false),
    u.disabledAt ? `Uitgeschakeld sinds ${when(u.disabledAt, false)}` : u.id === person.session.user.id ? 'Dat bent u' : 'Actief',
    `<a class="utrecht-link utrecht-link--html-a" href="/beheer/mensen/${u.id}">Beheren<span class="console-sr"> ${esc(u.name)}</span></a>`,
  ]))}
<h3 class="utrecht-heading-3">Iemand toevoegen</h3>
${person.actor.region === '*' ? '' : `<p class="utrecht-paragraph">U voegt medewerkers van wijkteams, van het expertteam en van aanbieders toe
(een aanbieder meldt de wachttijden van zijn aanbod; de organisatie is de naam van de aanbieder in het aanbodregister).
Inspecteurs en beheerders maakt de applicatiebeheerder aan met de opdrachtregel.</p>`}
<form method="post" action="/beheer/mensen" novalidate>${csrfField(csrf)}${renderFields(userFields(person), values, errors)}
<button class="utrecht-button utrecht-button--primary-action" type="submit">Toevoegen</button></form></section>
<section aria-labelledby="kop-systemen"><h2 class="utrecht-heading-2" id="kop-systemen">Systemen (API-sleutels)</h2>
<p class="utrecht-paragraph">Sleutels voor systemen maakt en trekt u in met de opdrachtregel (<code class="utrecht-code">npm run cli -- token …</code>).
Laatst gebruikt is op de minuut nauwkeurig.</p>
${table('API-sleutels van de regio', ['Naam', 'Rol', 'Organisatie', 'Sinds', 'Laatst gebruikt', 'Ingetrokken'], clients.map((c) => [
    esc(c.name), esc(ROLE_LABELS[c.role] ?? c.role), esc(named(c.organisation)), when(c.createdAt, false),
    c.lastUsedAt ? when(c.lastUsedAt) : 'Nooit', c.revokedAt ? when(c.revokedAt, false) : 'Nee',
  ]))}</section>
<section aria-labelledby="kop-instellingen"><h2 class="utrecht-heading-2" id="kop-instellingen">Instellingen van de regio</h2>
${region === '*' ? '' : `<p class="utrecht-paragraph">Een gewijzigde termijn geldt voor termijnen die daarna ingaan; lopende termijnen houden hun datum.</p>
${Object.keys(settingsErrors).length > 0 ? errorSummary(Object.entries(settingsErrors).map(([path, text]) => ({ id: `veld-instelling-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`, text })), 'De instellingen zijn niet gewijzigd.') : ''}
<form method="post" action="/beheer/instellingen" novalidate>${csrfField(csrf)}
${renderFields(settingsFields, current, settingsErrors, '', 'instelling-')}
<button class="utrecht-button utrecht-button--primary-action" type="submit">Instellingen opslaan</button></form>`}
${dataList([
    ...DEADLINES.filter(([key]) => inUnits(d[key]) === null).map(([key, label]): [string, string] => [label, esc(durationNl(d[key]))]),
    ['Gemeenten', esc(settings.municipalities ? settings.municipalities.map((c) => municipalityName(c) ?? c).join(', ') : 'alle')],
    ['Bewaartermijn', esc(durationNl(settings.retention))], ['Opruimen na', esc(durationNl(settings.housekeeping))],
    ['Meldingen (webhook)', esc(settings.webhook ? 'ingesteld' : 'niet ingesteld')],
    ['E-mail', esc(ctx.mailer ? 'passend verstuurt e-mail' : 'geen mailserver ingesteld: passend verstuurt geen e-mail')],
  ])}
<p class="utrecht-paragraph utrecht-paragraph--small">Gemeenten, bewaartermijn, opruimen en de webhook wijzigt de applicatiebeheerder met
<code class="utrecht-code">npm run cli -- region set</code>.</p></section>`);
  }

  app.get('/beheer', async (request, reply) => {
    const person = ctx.person(request, ['admin']);
    const sent = (request.query as Record<string, unknown>).verstuurd;
    return ctx.send(reply, await adminPage(person, {}, {}, sent === 'ingeschakeld' ? { kind: 'ok', text: 'De persoon kan weer inloggen.' } : null));
  });

  app.post('/beheer/mensen', async (request, reply) => {
    const person = ctx.person(request, ['admin']);
    const values = formValues(request.body);
    const v = (k: string): string => (typeof values[k] === 'string' ? (values[k] as string).trim() : '');
    const errors: FieldErrors = {};
    for (const k of ['name', 'organisation']) {
      if (v(k) === '' || v(k).length > 200) errors[k] = 'Vul dit in (hooguit 200 tekens).';
      else if (!isCleanText(v(k), 200)) errors[k] = 'Gebruik gewone tekens: geen stuurtekens, tabs of regeleinden.';
    }
    if (!isEmail(v('email'))) errors.email = 'Vul een geldig e-mailadres in.';
    const role = v('role');
    // A regional admin who asks for an inspector or admin is refused outright: not a typing error.
    if (['inspector', 'admin'].includes(role) && !(rolesFor(person) as string[]).includes(role)) throw new AppError('FORBIDDEN', 'role');
    if (!(rolesFor(person) as string[]).includes(role)) errors.role = 'Kies een rol.';
    if (Object.keys(errors).length === 0) {
      try {
        const user = await peopleOf.create({
          role: role as Role, organisation: v('organisation'), region: person.actor.region, name: v('name'), email: v('email'),
        }, clock.now(), operatorOf(person));
        // With mail, the new person gets a sign-in link at their own address at once.
        const sent = await mailSignInLink(request, user);
        const notice = sent === 'sent' ? { kind: 'ok' as const, text: `${user.name} is aangemaakt en krijgt een inloglink per e-mail.` }
          : sent === 'failed' ? { kind: 'error' as const, text: `${user.name} is aangemaakt, maar de inloglink kon niet worden verstuurd. Stuur later een nieuwe via Beheren.` }
            : null;
        return ctx.send(reply, await adminPage(person, {}, {}, notice, user));
      } catch (err) {
        if (!(err instanceof DuplicateEmail)) throw err;
        errors.email = 'Er is al iemand met dit e-mailadres.';
      }
    }
    errors[''] = 'Niet alles is goed ingevuld.';
    return ctx.send(reply, await adminPage(person, values, errors), 400);
  });

  async function personPage(admin: Person, user: User, values: FormValues, errors: FieldErrors,
    notice: { kind: 'ok' | 'error'; text: string } | null = null): Promise<string> {
    const csrf = admin.session.csrf;
    const self = user.id === admin.session.user.id;
    const managed = (rolesFor(admin) as string[]).includes(user.role);
    const shown: FormValues = Object.keys(values).length > 0 ? values : { role: user.role, organisation: user.organisation };
    return page({ title: user.name, user: ctx.pageUser(admin), path: '/beheer', notice: notice ?? (errors[''] ? { kind: 'error', text: errors[''] } : null) }, `
<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="/beheer">Terug naar Beheer</a></p>
${dataList([
    ['Rol', esc(ROLE_LABELS[user.role] ?? user.role)], ['Organisatie', esc(named(user.organisation))],
    ['Sinds', when(user.createdAt, false)], ['Toegang', user.disabledAt ? `Uitgeschakeld sinds ${when(user.disabledAt, false)}` : 'Actief'],
    ['Meldingen per e-mail', esc({ instant: 'direct', daily: 'één overzicht per dag', off: 'geen' }[user.notices])],
  ])}
<section aria-labelledby="kop-inloglink"><h2 class="utrecht-heading-2" id="kop-inloglink">Inloggen</h2>
${howToSignIn(user)}
${ctx.mailer && !user.disabledAt ? `<form method="post" action="/beheer/mensen/${user.id}/inloglink">${csrfField(csrf)}
<button class="utrecht-button utrecht-button--primary-action" type="submit">Nieuwe inloglink sturen<span class="console-sr"> naar ${esc(user.name)}</span></button></form>` : ''}
</section>
${managed && !self ? `<section aria-labelledby="kop-wijzigen"><h2 class="utrecht-heading-2" id="kop-wijzigen">Rol en organisatie wijzigen</h2>
<p class="utrecht-paragraph">Na een wijziging logt ${esc(user.name)} opnieuw in.</p>
<form method="post" action="/beheer/mensen/${user.id}" novalidate>${csrfField(csrf)}${renderFields(changeFields(admin), shown, errors)}
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Wijzigen</button></form></section>` : ''}
${self ? '' : `<section aria-labelledby="kop-toegang"><h2 class="utrecht-heading-2" id="kop-toegang">Toegang</h2>
${user.disabledAt
    ? managed ? `<form method="post" action="/beheer/mensen/${user.id}/inschakelen">${csrfField(csrf)}
<button class="utrecht-button utrecht-button--secondary-action" type="submit">Weer inschakelen<span class="console-sr"> ${esc(user.name)}</span></button></form>`
      : '<p class="utrecht-paragraph">Weer inschakelen doet de applicatiebeheerder met de opdrachtregel.</p>'
    : `<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="/beheer/mensen/${user.id}/uitschakelen">${esc(user.name)} uitschakelen</a></p>`}
</section>`}`);
  }

  app.get('/beheer/mensen/:id', async (request, reply) => {
    const admin = ctx.person(request, ['admin']);
    const user = await personOf(admin, (request.params as { id: string }).id);
    const sent = (request.query as Record<string, unknown>).verstuurd;
    const notice = sent === 'ja' ? SENT_TEXT.sent(user.name) : sent === 'mislukt' ? SENT_TEXT.failed(user.name)
      : sent === 'gewijzigd' ? { kind: 'ok' as const, text: 'De wijziging is opgeslagen.' } : null;
    return ctx.send(reply, await personPage(admin, user, {}, {}, notice));
  });

  app.post('/beheer/mensen/:id', async (request, reply) => {
    const admin = ctx.person(request, ['admin']);
    const user = await personOf(admin, (request.params as { id: string }).id);
    if (user.id === admin.session.user.id) throw new AppError('FORBIDDEN', 'self');
    mayManage(admin, user);
    const values = formValues(request.body);
    const v = (k: string): string => (typeof values[k] === 'string' ? (values[k] as string).trim() : '');
    const role = v('role');
    // A forged promotion to inspector or admin is refused outright and changes nothing.
    if (!(rolesFor(admin) as string[]).includes(role)) {
      if (['inspector', 'admin'].includes(role)) throw new AppError('FORBIDDEN', 'role');
    }
    const errors: FieldErrors = {};
    if (!(rolesFor(admin) as string[]).includes(role)) errors.role = 'Kies een rol.';
    if (v('organisation') === '' || v('organisation').length > 200) errors.organisation = 'Vul dit in (hooguit 200 tekens).';
    else if (!isCleanText(v('organisation'), 200)) errors.organisation = 'Gebruik gewone tekens: geen stuurtekens, tabs of regeleinden.';
    if (Object.keys(errors).length > 0) {
      errors[''] = 'Niet alles is goed ingevuld. Er is niets gewijzigd.';
      return ctx.send(reply, await personPage(admin, user, values, errors), 400);
    }
    await peopleOf.change(user.id, { role: role as Role, organisation: v('organisation') }, clock.now(), operatorOf(admin));
    return reply.redirect(`/beheer/mensen/${user.id}?verstuurd=gewijzigd`, 303);
  });

  app.post('/beheer/mensen/:id/inloglink', async (request, reply) => {
    const admin = ctx.person(request, ['admin']);
    const user = await personOf(admin, (request.params as { id: string }).id);
    const sent = await mailSignInLink(request, user);
    if (sent === 'no_mail' || sent === 'inactive') {
      return ctx.send(reply, await personPage(admin, user, {}, {}, {
        kind: 'error', text: sent === 'no_mail' ? 'passend verstuurt geen e-mail: vraag de applicatiebeheerder om een inloglink.'
          : `${user.name} is uitgeschakeld en kan niet inloggen.`,
      }), 409);
    }
    return reply.redirect(`/beheer/mensen/${user.id}?verstuurd=${sent === 'sent' ? 'ja' : 'mislukt'}`, 303);
  });

  const confirmPage = (admin: Person, user: User): string => page({ title: `${user.name} uitschakelen`, user: ctx.pageUser(admin), path: '/beheer' }, `
${alert('warning', `Na het uitschakelen kan ${user.name} niet meer inloggen en eindigen de sessies die nu open zijn. U kunt ${user.name} later weer inschakelen.`)}
<form method="post" action="/beheer/mensen/${user.id}/uitschakelen">${csrfField(admin.session.csrf)}
<input type="hidden" name="bevestigd" value="ja">
<button class="utrecht-button utrecht-button--primary-action" type="submit">Ja, ${esc(user.name)} uitschakelen</button></form>
<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="/beheer/mensen/${user.id}">Nee, terug</a></p>`);

  app.get('/beheer/mensen/:id/uitschakelen', async (request, reply) => {
    const admin = ctx.person(request, ['admin']);
    const user = await personOf(admin, (request.params as { id: string }).id);
    if (user.id === admin.session.user.id) throw new AppError('FORBIDDEN', 'self');
    if (user.disabledAt) return reply.redirect(`/beheer/mensen/${user.id}`, 303);
    return ctx.send(reply, confirmPage(admin, user));
  });

  app.post('/beheer/mensen/:id/uitschakelen', async (request, reply) => {
    const admin = ctx.person(request, ['admin']);
    const user = await personOf(admin, (request.params as { id: string }).id);
    if (user.id === admin.session.user.id) throw new AppError('FORBIDDEN', 'self');
    // Without the confirmation (an old form, a stray post) nothing happens: the question is asked first.
    if (formValues(request.body).bevestigd !== 'ja') return reply.redirect(`/beheer/mensen/${user.id}/uitschakelen`, 303);
    await peopleOf.disable(user.id, clock.now(), operatorOf(admin));
    return reply.redirect(`/beheer/mensen/${user.id}`, 303);
  });

  app.post('/beheer/mensen/:id/inschakelen', async (request, reply) => {
    const admin = ctx.person(request, ['admin']);
    const user = await personOf(admin, (request.params as { id: string }).id);
    mayManage(admin, user);
    await peopleOf.enable(user.id, clock.now(), operatorOf(admin));
    return reply.redirect(`/beheer/mensen/${user.id}`, 303);
  });

  app.post('/beheer/instellingen', async (request, reply) => {
    const admin = ctx.person(request, ['admin']);
    if (admin.actor.region === '*') throw new AppError('NOT_FOUND', 'no region');
    const values = formValues(request.body);
    const v = (k: string): string => (typeof values[k] === 'string' ? (values[k] as string).trim() : '');
    const errors: FieldErrors = {};
    const update: RegionUpdate = {};
    for (const [key, label] of DEADLINES) {
      const count = v(`${key}.aantal`);
      const unit = v(`${key}.eenheid`);
      const max = MAX_OF[unit];
      if (max === undefined) errors[`${key}.eenheid`] = `${label}: kies dagen, weken of maanden.`;
      else if (!/^\d{1,4}$/.test(count) || Number(count) < 1 || Number(count) > max) {
        errors[`${key}.aantal`] = `${label}: vul een heel getal in van 1 tot en met ${max}.`;
      } else update[key] = `P${Number(count)}${unit}`;
    }
    const weeks = v('bridgingThresholdWeeks');
    if (!/^\d{1,3}$/.test(weeks) || Number(weeks) > 104) errors.bridgingThresholdWeeks = 'Vul een heel getal in van 0 tot en met 104.';
    else update.bridgingThresholdWeeks = Number(weeks);
    if (Object.keys(errors).length > 0) {
      return ctx.send(reply, await adminPage(admin, {}, {}, { kind: 'error', text: 'De instellingen zijn niet gewijzigd: niet alles is goed ingevuld.' },
        undefined, errors, values), 400);
    }
    await regions.set(admin.actor.region, update, clock.now(), operatorOf(admin));
    return ctx.send(reply, await adminPage(admin, {}, {}, { kind: 'ok', text: 'De instellingen zijn opgeslagen. Ze gelden voor termijnen die vanaf nu ingaan.' }));
  });
}
