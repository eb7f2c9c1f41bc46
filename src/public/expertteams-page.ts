/**
 * GET /expertteams: the public page (Dutch, NL Design System, no sign-in, no script) on which a
 * family, a school or a GP finds the expert team of a municipality and how to reach and refer to
 * it (DESIGN §6.4). `?gemeente=` takes a name (case, accents and punctuation ignored; Den Haag and
 * Den Bosch too) or a CBS code; below the search, every municipality in force with its team.
 * Cacheable for a short while; limited per address as the public API is.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findMunicipalities, MUNICIPALITY_SOURCE } from '../../machines/referral.municipalities.ts';
import { isCleanText } from '../../machines/referral.text.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { alert, dataList, esc, page, table } from '../console/page.ts';
import { dutchDate } from '../http/labels-nl.ts';
import type { Regions } from '../store/port.ts';
import { expertTeams, type MunicipalityTeam } from './expertteams.ts';
import { PUBLIC_CACHE } from './public-routes.ts';

export const SEARCH_MAX = 100;

export interface ExpertTeamsPageOptions {
  regions: Pick<Regions, 'list'>;
  clock: Clock;
  perAddressPerMinute?: number;
}

interface Limit { isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }

export async function expertTeamsPage(app: FastifyInstance, { regions, clock, perAddressPerMinute }: ExpertTeamsPageOptions) {
  await app.register(rateLimit, { global: false });
  const limiter = perAddressPerMinute
    ? app.createRateLimit({ max: perAddressPerMinute, timeWindow: 60_000, keyGenerator: (r) => `public-page:${r.ip}` }) as
      (request: FastifyRequest) => Promise<Limit>
    : null;

  app.get('/expertteams', { schema: { hide: true } }, async (request, reply) => {
    if (limiter) {
      const limit = await limiter(request);
      if (!limit.isAllowed && limit.isExceeded === true) {
        reply.header('Retry-After', String(Math.max(1, limit.ttlInSeconds ?? 60)));
        throw new AppError('TOO_MANY_REQUESTS', 'too many requests: try again after the time Retry-After gives');
      }
    }
    const raw = (request.query as Record<string, unknown>).gemeente;
    const search = typeof raw === 'string' ? raw.trim() : '';
    const now = clock.now();
    const all = expertTeams(await regions.list(), now);
    const tooLong = search.length > SEARCH_MAX || !isCleanText(search, SEARCH_MAX);
    const html = page({ title: 'Expertteams jeugd vinden', open: true }, body(search, tooLong, all, now));
    return reply.code(tooLong ? 400 : 200).type('text/html; charset=utf-8')
      .header('Cache-Control', tooLong ? 'no-store' : PUBLIC_CACHE).send(html);
  });
}

function body(search: string, tooLong: boolean, all: MunicipalityTeam[], now: Date): string {
  return `<p class="utrecht-paragraph">Loopt de hulp aan een kind of jongere vast, en komt u er met de gewone
hulp niet uit? Het regionale expertteam jeugd denkt mee en zoekt samen met u en het gezin naar passende hulp.
Zoek hieronder het expertteam van uw gemeente: daar leest u hoe u het team bereikt en hoe u een kind aanmeldt.</p>
<form method="get" action="/expertteams" class="console-filters" role="search" aria-label="Zoek het expertteam van een gemeente">
<div class="utrecht-form-field utrecht-form-field--text"><p class="utrecht-form-field__label"><label class="utrecht-form-label" for="gemeente">Gemeente</label></p>
<p class="utrecht-form-field__description" id="gemeente-uitleg">De naam van de gemeente, of de CBS-code (bijvoorbeeld GM0153).</p>
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="search" id="gemeente" name="gemeente"
 maxlength="${SEARCH_MAX}" autocomplete="address-level2" aria-describedby="gemeente-uitleg" value="${esc(tooLong ? '' : search)}"></p></div>
<button class="utrecht-button utrecht-button--primary-action" type="submit">Zoeken</button>
</form>
${search === '' ? '' : tooLong ? alert('error', `Vul de naam van een gemeente in (ten hoogste ${SEARCH_MAX} tekens) of een CBS-code.`, 'alert') : result(search, all, now)}
<h2 class="utrecht-heading-2">Alle gemeenten</h2>
${table(`Alle ${all.length} gemeenten en hun expertteam`, ['Gemeente', 'CBS-code', 'Expertteam', 'Telefoon'], all.map((m) => [
    `<a class="utrecht-link utrecht-link--html-a" href="/expertteams?gemeente=${esc(m.code)}">${esc(m.name)}</a>`,
    esc(m.code), m.team ? esc(m.team.name ?? `Regio ${m.team.region}`) : 'Nog niet bekend',
    m.team?.phone ? phoneLink(m.team.phone) : '—',
  ]))}
<p class="utrecht-paragraph utrecht-paragraph--small">Gemeenten volgens het CBS, gemeentelijke indeling op
${esc(dutchDate(MUNICIPALITY_SOURCE.inForceOn))} (<a class="utrecht-link utrecht-link--html-a" href="${esc(MUNICIPALITY_SOURCE.sourceUrl)}">bron</a>).
Dezelfde gegevens als JSON: <a class="utrecht-link utrecht-link--html-a" href="/api/v1/expertteams">/api/v1/expertteams</a>.</p>`;
}

function result(search: string, all: MunicipalityTeam[], now: Date): string {
  const found = findMunicipalities(search, now);
  if (found.length === 0) {
    return alert('warning', `Geen gemeente gevonden voor "${search}". Controleer de spelling, of kies de gemeente uit de lijst hieronder.`);
  }
  if (found.length > 1) {
    return `<section aria-labelledby="gevonden"><h2 class="utrecht-heading-2" id="gevonden">${found.length} gemeenten gevonden</h2>
<ul class="utrecht-unordered-list">${found.map((m) =>
      `<li class="utrecht-unordered-list__item"><a class="utrecht-link utrecht-link--html-a" href="/expertteams?gemeente=${esc(m.code)}">${esc(m.name)}</a> (${esc(m.code)})</li>`).join('')}</ul></section>`;
  }
  const one = all.find((m) => m.code === found[0]!.code)!;
  const team = one.team;
  const heading = `<h2 class="utrecht-heading-2" id="gevonden">Expertteam voor de gemeente ${esc(one.name)}</h2>`;
  if (!team) {
    return `<section class="console-team" aria-labelledby="gevonden">${heading}
<p class="utrecht-paragraph">Voor de gemeente ${esc(one.name)} (${esc(one.code)}) staat nog geen expertteam in passend.
Vraag bij de gemeente naar het regionale expertteam jeugd.</p></section>`;
  }
  const howTo = team.howToRefer
    ? team.howToRefer.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => esc(line)).join('<br>')
    : '';
  return `<section class="console-team" aria-labelledby="gevonden">${heading}
${dataList([
    ['Expertteam', esc(team.name ?? `Expertteam regio ${team.region}`)],
    ['Telefoon', team.phone ? phoneLink(team.phone) : ''],
    ['E-mail', team.email ? `<a class="utrecht-link utrecht-link--html-a" href="mailto:${esc(team.email)}">${esc(team.email)}</a>` : ''],
    ['Zo meldt u een kind aan', howTo],
    ['Gemeente', `${esc(one.name)} (${esc(one.code)})`],
  ])}</section>`;
}

const phoneLink = (phone: string): string =>
  `<a class="utrecht-link utrecht-link--html-a" href="tel:${esc(phone.replace(/[^\d+]/g, ''))}">${esc(phone).replaceAll(' ', '&nbsp;')}</a>`;
