/**
 * Mijn werk (DESIGN §6.3): where a person lands after signing in. For a person of the expert team
 * the open cases they are regisseur of, with the next step and deadline; for a local team its
 * organisation's open cases where something waits for it, each marked "Er ligt iets voor u" with
 * what it is. What waits for whom is decided in src/cases/waiting.ts, not here; the page only
 * shows it. Listed cases are logged in the access log as the work list's are.
 */
import type { FastifyInstance } from 'fastify';
import { deadlineOfKey } from '../../machines/referral.deadlines.ts';
import { municipalityName } from '../../machines/referral.municipalities.ts';
import type { MyWorkItem } from '../cases/case-queries.ts';
import type { Waiting } from '../cases/waiting.ts';
import { label, ROLE_LABELS, WAITING_LABELS } from '../http/labels-nl.ts';
import type { ConsoleContext } from './context.ts';
import { esc, page, stateBadge, table, when } from './page.ts';

const link = (href: string, text: string): string => `<a class="utrecht-link utrecht-link--html-a" href="${esc(href)}">${esc(text)}</a>`;

/** One thing that waits, in words, with its deadline when it has one. */
function waitingText(item: Waiting): string {
  const what = item.kind === 'help_items' && item.count !== undefined
    ? `${WAITING_LABELS.help_items} (${item.count} hulponderdeel${item.count === 1 ? '' : 'en'})`
    : WAITING_LABELS[item.kind] ?? item.kind;
  const due = item.dueAt ? ` · ${item.overdue ? '<strong>termijn verstreken</strong> ' : 'uiterlijk '}${when(item.dueAt)}` : '';
  return `${esc(what)}${due}`;
}

function nextDue(item: MyWorkItem): string {
  if (!item.nextDue) return '—';
  const name = esc(label(deadlineOfKey(item.nextDue.name).name));
  return item.overdue ? `<strong>Termijn verstreken</strong> (${name}: ${when(item.nextDue.dueAt)})` : `${name}: ${when(item.nextDue.dueAt)}`;
}

export async function myWorkPage(app: FastifyInstance, ctx: ConsoleContext): Promise<void> {
  app.get('/mijn-werk', async (request, reply) => {
    const person = ctx.person(request);
    const { actor } = person;
    const items = await ctx.queries.myWork(actor);
    if (items.length > 0) await ctx.access.record(request, actor, 'case.list', items.map((i) => i.id));
    const user = ctx.pageUser(person);
    let body: string;
    if (actor.role === 'expert_team') {
      const rows = items.map((i) => [
        link(`/casussen/${i.id}`, i.reference),
        stateBadge(i.state, null, i.overdue),
        esc(municipalityName(i.municipality) ?? i.municipality),
        i.waiting.length > 0 ? i.waiting.map(waitingText).join('<br>') : esc('Wacht op anderen'),
        nextDue(i),
      ]);
      body = `<p class="utrecht-paragraph">De open casussen waarvan u procesregisseur bent. Wat over de termijn is staat bovenaan,
daarna wat het eerst moet. Alle casussen van de regio staan in de ${link('/casussen', 'werkvoorraad')}.</p>
${items.length === 0
    ? '<p class="utrecht-paragraph">U bent van geen open casus procesregisseur. Een casus wordt van u als u de triage start, of als iemand van het expertteam u toewijst.</p>'
    : table(`U regisseert ${items.length} open casus${items.length === 1 ? '' : 'sen'}`, ['Kenmerk', 'Status', 'Gemeente', 'Wat nu', 'Volgende termijn'], rows)}`;
    } else if (actor.role === 'local_team') {
      const rows = items.map((i) => [
        link(`/casussen/${i.id}`, i.reference),
        stateBadge(i.state, null, i.overdue),
        `<span class="utrecht-status-badge console-badge console-badge--voor-u">Er ligt iets voor u</span><br>${i.waiting.map(waitingText).join('<br>')}`,
        nextDue(i),
      ]);
      body = `<p class="utrecht-paragraph">De open casussen van ${esc(ctx.orgName(actor.organisation))} waarbij iets op u wacht: een vraag van het
expertteam, de hulp of de voortgang om te melden, of een afspraak die uw organisatie maakte. Al uw casussen staan onder
${link('/casussen', 'mijn casussen')}.</p>
${items.length === 0
    ? '<p class="utrecht-paragraph">Er ligt nu niets voor u klaar.</p>'
    : table(`Bij ${items.length} casus${items.length === 1 ? '' : 'sen'} ligt iets voor u`, ['Kenmerk', 'Status', 'Wat er voor u ligt', 'Volgende termijn'], rows)}`;
    } else {
      body = `<p class="utrecht-paragraph">Als ${esc(ROLE_LABELS[actor.role] ?? actor.role)} regisseert u geen casussen en wacht er in
passend geen stap op u. ${actor.role === 'admin' ? link('/beheer', 'Naar beheer') : link('/dossieronderzoek', 'Naar dossieronderzoek')}</p>`;
    }
    return ctx.send(reply, page({ title: 'Mijn werk', user, path: '/mijn-werk' }, body));
  });
}
