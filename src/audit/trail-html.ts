/**
 * The trail of a case as a printable HTML page in Dutch, for an inspector who would rather read a
 * timeline than JSON. Self-contained (inline CSS, no scripts); every value is escaped.
 */
import { describeValue } from '../console/form.ts';
import { entryFields } from '../console/forms-nl.ts';
import { escapeHtml } from '../http/html.ts';
import { EVENT_LABELS, ROLE_LABELS, STATE_LABELS } from '../http/labels-nl.ts';
import type { AuditEntry } from '../store/rows.ts';

const escape = (value: unknown): string => escapeHtml(String(value));

const amsterdam = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam', dateStyle: 'long', timeStyle: 'short',
});

function entryHtml(e: AuditEntry): string {
  const label = EVENT_LABELS[e.eventType ?? ''] ?? e.eventType ?? e.action;
  const state = e.toState ? (STATE_LABELS[e.toState] ?? e.toState).toLowerCase() : '';
  const who = `${escape(e.actorName)} (${escape((ROLE_LABELS[e.actorRole] ?? e.actorRole).toLowerCase())}` +
    `${e.actorOrganisation ? `, ${escape(e.actorOrganisation)}` : ''})`;
  return `<li><h2>${escape(label)}</h2>
<p class="meta"><time datetime="${escape(e.at)}">${escape(amsterdam.format(new Date(e.at)))}</time>
 · door ${who}${state ? ` · status: <strong>${escape(state)}</strong>` : ''} · nr. ${e.caseSeq}</p>
${describeValue(JSON.parse(e.payload), entryFields(e.eventType ?? (e.action === 'case_created' ? 'SUBMIT' : null)))}
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
  return `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Dossierverloop ${escape(caseId)}</title>
<style>${TRAIL_STYLE}</style></head><body>
<h1>Dossierverloop</h1>
<p>Casus <code>${escape(caseId)}</code> · ${entries.length} vastleggingen · afgedrukt op
${escape(amsterdam.format(printedAt))}. Elke vastlegging draagt een controlecode die aan de vorige
is gekoppeld; de JSON-export (<code>/trail/export</code>) bevat alles om dat na te rekenen.</p>
<ol class="timeline">${entries.map(entryHtml).join('\n')}</ol>
</body></html>`;
}
