/**
 * The trail of a case as a printable HTML page in Dutch, for an inspector who would rather read a
 * timeline than JSON. Self-contained (inline CSS, no scripts); every value is escaped.
 */
import { escapeHtml } from '../http/html.ts';
import type { AuditEntry } from './audit-log.ts';

export const EVENT_LABELS: Record<string, string> = {
  SUBMIT: 'Aanmelding', START_TRIAGE: 'Triage gestart', REQUEST_INFORMATION: 'Informatie gevraagd',
  PROVIDE_INFORMATION: 'Informatie gegeven', ACCEPT: 'Aangenomen', DECLINE: 'Afgewezen',
  CONSULT: 'Consultatie en advies', SCHEDULE_OVERLEG: 'Overleg gepland', RECORD_OVERLEG: 'Overleg vastgelegd',
  ISSUE_ADVICE: 'Advies gegeven', SET_BRIDGING_PLAN: 'Overbruggingsplan', REPORT_PROGRESS: 'Voortgang gemeld',
  REQUEST_REASSESSMENT: 'Herbeoordeling gevraagd', ESCALATE: 'Opgeschaald', WITHDRAW: 'Ingetrokken',
  CLOSE: 'Afgesloten', ADD_NOTE: 'Notitie', DEADLINE_PASSED: 'Termijn verstreken',
};

export const STATE_LABELS: Record<string, string> = {
  submitted: 'aangemeld', triage: 'triage', awaiting_information: 'wacht op informatie',
  planning_overleg: 'overleg in planning', overleg_scheduled: 'overleg gepland', advising: 'advisering',
  bridging: 'overbrugging', follow_up: 'monitoring', closed: 'afgesloten',
};

const ROLE_LABELS: Record<string, string> = {
  local_team: 'lokaal team', expert_team: 'expertteam', inspector: 'inspectie', admin: 'beheer',
  system: 'systeem', operator: 'beheerder',
};

const escape = (value: unknown): string => escapeHtml(String(value));

const amsterdam = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam', dateStyle: 'long', timeStyle: 'short',
});

/** Nested payload values as a definition list. */
function details(value: unknown): string {
  if (value === null || typeof value !== 'object') return escape(value ?? '—');
  if (Array.isArray(value)) {
    return value.length === 0 ? '—' : `<ol>${value.map((v) => `<li>${details(v)}</li>`).join('')}</ol>`;
  }
  const rows = Object.entries(value).map(([k, v]) => `<dt>${escape(k)}</dt><dd>${details(v)}</dd>`);
  return `<dl>${rows.join('')}</dl>`;
}

function entryHtml(e: AuditEntry): string {
  const label = EVENT_LABELS[e.eventType ?? ''] ?? e.eventType ?? e.action;
  const state = e.toState ? STATE_LABELS[e.toState] ?? e.toState : '';
  const who = `${escape(e.actorName)} (${escape(ROLE_LABELS[e.actorRole] ?? e.actorRole)}` +
    `${e.actorOrganisation ? `, ${escape(e.actorOrganisation)}` : ''})`;
  return `<li><h2>${escape(label)}</h2>
<p class="meta"><time datetime="${escape(e.at)}">${escape(amsterdam.format(new Date(e.at)))}</time>
 · door ${who}${state ? ` · status: <strong>${escape(state)}</strong>` : ''} · nr. ${e.caseSeq}</p>
${details(JSON.parse(e.payload))}
<p class="hash">controlecode ${escape(e.caseHash)}</p></li>`;
}

export const TRAIL_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:52em;color:#111}
h1{font-size:1.5em}ol.timeline{list-style:none;padding:0;border-left:3px solid #36c}
ol.timeline>li{margin:0 0 1.2em;padding-left:1em}h2{font-size:1.1em;margin:.2em 0}
.meta{color:#444;margin:.2em 0}.hash{font:11px monospace;color:#666;word-break:break-all}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.3em 0}dt{color:#555}dd{margin:0}
@media print{body{margin:0;max-width:none}ol.timeline>li{break-inside:avoid}}
`;

export function trailHtml(caseId: string, entries: AuditEntry[], printedAt: Date): string {
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Dossierverloop ${escape(caseId)}</title>
<style>${TRAIL_STYLE}</style></head><body>
<h1>Dossierverloop</h1>
<p>Casus <code>${escape(caseId)}</code> · ${entries.length} vastleggingen · afgedrukt op
${escape(amsterdam.format(printedAt))}. Elke vastlegging draagt een controlecode die aan de vorige
is gekoppeld; de JSON-export (<code>/trail/export</code>) bevat alles om dat na te rekenen.</p>
<ol class="timeline">${entries.map(entryHtml).join('\n')}</ol>
</body></html>`;
}
