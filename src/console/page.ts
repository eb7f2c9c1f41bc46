/**
 * The frame of every console page, on the NL Design System (Utrecht components and design
 * tokens): language nl, a skip link, one h1, a navigation for the person's role, no script.
 * Every text from data goes through `esc`.
 */
import { assetHref } from './assets.ts';
import { escapeHtml } from '../http/html.ts';
import { CLOSED_AS_LABELS, ROLE_LABELS, STATE_LABELS } from '../http/labels-nl.ts';
import type { Role } from '../../machines/referral.schemas.ts';

export const esc = (value: string | number | boolean | null | undefined): string =>
  escapeHtml(value === null || value === undefined ? '' : String(value));

/** Who is signed in, as the frame shows them. */
export interface PageUser {
  name: string;
  role: Role;
  organisation: string;
  csrf: string;
}

export interface PageOptions {
  title: string;
  user?: PageUser | null;
  /** The path of the page, to mark the current item of the navigation. */
  path?: string;
  /** A message above the content: after an action, or an error. */
  notice?: { kind: 'ok' | 'error' | 'warning' | 'info'; text: string } | null;
  /** A page anyone may read without signing in (/expertteams): nothing of theirs is recorded. */
  open?: boolean;
}

const MY_WORK = ['/mijn-werk', 'Mijn werk'] as const;

const NAV: Record<Role, readonly (readonly [string, string])[]> = {
  local_team: [MY_WORK, ['/casussen', 'Mijn casussen'], ['/aanmelden', 'Nieuwe aanmelding']],
  expert_team: [MY_WORK, ['/casussen', 'Werkvoorraad'], ['/aanmelden', 'Aanmelding namens ouder of jongere'],
    ['/signalering', 'Signalering'], ['/aanbod', 'Aanbod'], ['/aanbodrapportage', 'Aanbod en wachttijden']],
  inspector: [['/dossieronderzoek', 'Dossieronderzoek'], ['/toegangslog', 'Toegangslog'], ['/audit', 'Controle van het logboek'],
    ['/signalering', 'Signalering'], ['/aanbodrapportage', 'Aanbod en wachttijden']],
  admin: [['/beheer', 'Beheer'], ['/beheer/aanbod', 'Aanbod']],
  municipality: [['/signalering', 'Signalering'], ['/aanbodrapportage', 'Aanbod en wachttijden'], ['/expertteams', 'Expertteams']],
  provider: [['/wachttijden', 'Wachttijden']],
};

function nav(user: PageUser, path: string | undefined): string {
  // The most specific item is current: Beheer → Aanbod (/beheer/aanbod) is not Beheer (/beheer) too.
  const exact = NAV[user.role].some(([href]) => href === path);
  const items = NAV[user.role].map(([href, text]) => {
    const current = path !== undefined && (path === href || (!exact && path.startsWith(`${href}/`)));
    return `<li class="utrecht-nav-list__item"><a class="utrecht-link utrecht-link--html-a${current ? ' utrecht-link--current' : ''}" href="${href}"${current ? ' aria-current="page"' : ''}>${esc(text)}</a></li>`;
  });
  return `<nav class="console-nav" aria-label="Hoofdmenu"><ul class="utrecht-nav-list">${items.join('')}</ul></nav>`;
}

function who(user: PageUser): string {
  return `<div class="console-who"><p class="utrecht-paragraph utrecht-paragraph--small">Ingelogd als
<strong>${esc(user.name)}</strong> (${esc(ROLE_LABELS[user.role] ?? user.role)}, ${esc(user.organisation)})</p>
<form method="post" action="/uitloggen">${csrfField(user.csrf)}
<button class="utrecht-button utrecht-button--subtle" type="submit">Uitloggen</button></form></div>`;
}

export const csrfField = (csrf: string): string => `<input type="hidden" name="_csrf" value="${esc(csrf)}">`;

export function alert(kind: 'ok' | 'error' | 'warning' | 'info', text: string, role: 'status' | 'alert' = 'status'): string {
  return `<div class="utrecht-alert utrecht-alert--${kind}" role="${role}"><div class="utrecht-alert__content">` +
    `<div class="utrecht-alert__message"><p class="utrecht-paragraph">${esc(text)}</p></div></div></div>`;
}

export function page(options: PageOptions, body: string): string {
  const { title, user, path, notice, open } = options;
  return `<!DOCTYPE html>
<html lang="nl" class="utrecht-theme utrecht-root">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · passend</title>
<link rel="icon" href="${assetHref('icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assetHref('design-tokens.css')}">
<link rel="stylesheet" href="${assetHref('utrecht.css')}">
<link rel="stylesheet" href="${assetHref('console.css')}">
</head>
<body class="utrecht-page-body utrecht-body">
<a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud">Direct naar de inhoud</a>
<header class="utrecht-page-header console-header">
<div class="console-brand"><a class="utrecht-link utrecht-link--html-a console-home" href="/">passend</a>
<span class="console-tagline">regionaal expertteam jeugd</span></div>
${user ? who(user) : ''}
${user ? nav(user, path) : ''}
</header>
<main id="inhoud" class="utrecht-page-content console-main" tabindex="-1">
<h1 class="utrecht-heading-1">${esc(title)}</h1>
${notice ? alert(notice.kind, notice.text, notice.kind === 'error' ? 'alert' : 'status') : ''}
${body}
</main>
<footer class="utrecht-page-footer console-footer"><p class="utrecht-paragraph utrecht-paragraph--small">passend ·
${open ? 'openbare pagina: u hoeft niet in te loggen en er wordt niets over u vastgelegd.' : 'wat u hier leest en doet, wordt vastgelegd met uw naam (NEN 7513).'}</p></footer>
</body>
</html>`;
}

/**
 * A table with a caption; `rows` are already-escaped cells. On a narrow screen a wide table
 * scrolls sideways in its container rather than breaking its words, so the container is a named
 * region that takes the keyboard's focus (arrow keys scroll it).
 */
export function table(caption: string, headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return `<p class="utrecht-paragraph">${esc(caption)}: geen.</p>`;
  return `<section class="utrecht-table-container utrecht-table-container--overflow-inline" aria-label="${esc(caption)}" tabindex="0"><table class="utrecht-table utrecht-table--html-table">
<caption class="utrecht-table__caption">${esc(caption)}</caption>
<thead class="utrecht-table__header"><tr class="utrecht-table__row">${headers.map((h) => `<th class="utrecht-table__header-cell" scope="col">${esc(h)}</th>`).join('')}</tr></thead>
<tbody class="utrecht-table__body">${rows.map((r) => `<tr class="utrecht-table__row">${r.map((c) => `<td class="utrecht-table__cell">${c}</td>`).join('')}</tr>`).join('\n')}</tbody>
</table></section>`;
}

/** A definition list of label and already-escaped value. */
export function dataList(items: readonly (readonly [string, string])[]): string {
  return `<dl class="utrecht-data-list utrecht-data-list--rows">${items.map(([k, v]) =>
    `<div class="utrecht-data-list__item"><dt class="utrecht-data-list__item-key">${esc(k)}</dt><dd class="utrecht-data-list__item-value">${v === '' ? '—' : v}</dd></div>`).join('')}</dl>`;
}

const amsterdam = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'long', timeStyle: 'short' });
const amsterdamDay = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'long' });

/** A moment as a <time> element in Dutch (Amsterdam time). */
export function when(iso: string | null | undefined, withTime = true): string {
  if (!iso) return '—';
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return esc(iso);
  return `<time datetime="${esc(iso)}">${esc((withTime && iso.length > 10 ? amsterdam : amsterdamDay).format(date))}</time>`;
}

/** The phase a state belongs to: one colour per phase on the status badge. */
const PHASE: Record<string, string> = {
  submitted: 'intake', triage: 'intake', awaiting_information: 'intake',
  planning_overleg: 'overleg', overleg_scheduled: 'overleg', advising: 'advies',
  bridging: 'overbrugging', follow_up: 'monitoren', closed: 'afgesloten',
};

/**
 * The state in words on a badge coloured by its phase; a closed case says how it ended (§6.1),
 * never just "Afgesloten". A passed deadline adds a second badge in words, so that the marker
 * does not rest on colour alone.
 */
export function stateBadge(state: string, closedAs?: string | null, overdue = false): string {
  const text = state === 'closed' && closedAs ? CLOSED_AS_LABELS[closedAs] ?? closedAs : STATE_LABELS[state] ?? state;
  const badge = `<span class="utrecht-status-badge console-badge console-badge--${PHASE[state] ?? 'intake'}">${esc(text)}</span>`;
  return overdue ? `${badge} <span class="utrecht-status-badge console-badge console-badge--overdue">Over de termijn</span>` : badge;
}
