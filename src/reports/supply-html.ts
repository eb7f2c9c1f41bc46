/**
 * The supply report as a printable HTML page in Dutch (§6.4): tables per kind of help and a
 * server-drawn SVG bar chart (signalering-svg.ts) of the median waiting weeks, with the table
 * beside it so that nothing rests on the chart alone. No script; every text from data escaped.
 */
import { municipalityName } from '../../machines/referral.municipalities.ts';
import { escapeHtml as esc } from '../http/html.ts';
import { decimal, dutchDate, OFFER_KIND_LABELS } from '../http/labels-nl.ts';
import { SUPPRESSED_MARK } from './signalering-csv.ts';
import { SIGNALERING_STYLE } from './signalering-html.ts';
import { barChart } from './signalering-svg.ts';
import type { SupplyReport, SupplyWeeks } from './supply.ts';

type Count = SupplyReport['byKind']['advised'][number];

const kindName = (key: string): string => OFFER_KIND_LABELS[key] ?? key;
const countText = (c: Count | undefined): string => (c === undefined ? '—' : c.suppressed ? SUPPRESSED_MARK : String(c.count));
const weeksText = (w: SupplyWeeks | undefined, r: SupplyReport, p: 'medianWeeks' | 'p90Weeks'): string =>
  (w === undefined ? '—' : w[p] === null ? (w.suppressed ? SUPPRESSED_MARK : '—') : decimal(w[p]));
const municipality = (code: string): string => {
  const name = municipalityName(code);
  return name ? `${name} (${code})` : code;
};

function table(caption: string, head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((v, i) => (i === 0 ? `<th scope="row">${esc(v)}</th>` : `<td class="n">${esc(v)}</td>`)).join('')}</tr>`);
  return `<table><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${trs.join('')}</tbody></table>`;
}

/** The report's sections without the page around them (the console shows them in its own frame). */

/** A total as the page says it: a suppressed one (null, a municipality's below 5) in words. */
const shownTotal = (n: number | null): string => (n === null ? 'minder dan 5' : String(n));
export function supplySections(r: SupplyReport): string {
  const k = r.byKind;
  const find = <T extends { key: string }>(list: readonly T[], key: string): T | undefined => list.find((c) => c.key === key);
  const kinds = k.advised.map((c) => c.key);
  const norm = r.waitingNorm;
  const head = ['Soort hulp', 'Geadviseerd', 'Mediaan bij advies', '90e percentiel bij advies', 'Mediaan nu', '90e percentiel nu',
    'Niet gestart (geen plek)', ...norm === null ? [] : [`Boven de norm (${norm} weken)`]];
  const rows = kinds.map((key) => [
    kindName(key), countText(find(k.advised, key)),
    weeksText(find(k.waitingAtAdvice, key), r, 'medianWeeks'), weeksText(find(k.waitingAtAdvice, key), r, 'p90Weeks'),
    weeksText(find(k.waitingNow, key), r, 'medianWeeks'), weeksText(find(k.waitingNow, key), r, 'p90Weeks'),
    countText(find(k.notStartedForLackOfCapacity, key)), ...norm === null ? [] : [countText(find(k.aboveNorm, key))],
  ]);
  const bars = kinds.filter((key) => (find(k.advised, key)?.count ?? 0) > 0 || find(k.advised, key)?.suppressed).map((key) => {
    const w = find(k.waitingAtAdvice, key);
    return { label: kindName(key), value: w?.medianWeeks ?? null, text: w?.medianWeeks === null || w === undefined
      ? (w?.suppressed ? SUPPRESSED_MARK : '—') : `${decimal(w.medianWeeks)} weken` };
  });
  const audience = r.publication
    ? '<p class="note">Cijfers voor publicatie: kleine aantallen zijn weggelaten (&lt;5).</p>'
    : '<p class="note">Exacte aantallen, voor het expertteam en de inspectie van de regio: niet om te publiceren.</p>';
  return `${audience}
<h2>Wachttijden per soort hulp</h2>
<p>Hulponderdelen geadviseerd in de periode: <strong>${shownTotal(r.totals.advised)}</strong>; maatwerk: <strong>${shownTotal(r.totals.customArrangements)}</strong>;
niet gestart omdat er geen plek was: <strong>${shownTotal(r.totals.notStartedForLackOfCapacity)}</strong>.
${norm === null ? 'De regio heeft geen norm voor de wachttijd ingesteld.' : `Norm van de regio: ${norm} weken; daarboven bij het advies: <strong>${shownTotal(r.totals.aboveNorm)}</strong>.`}</p>
${table('Wachttijden in weken per soort hulp: bij het advies, en van hetzelfde aanbod nu', head, rows)}
<h3>Mediane wachttijd bij advies, in weken</h3>
${bars.length > 0 ? barChart('Mediane wachttijd bij advies per soort hulp, in weken', bars) : '<p>Geen hulponderdelen in de periode.</p>'}
<h2>Maatwerk</h2>
<p class="note">Maatwerk: hulp die er nog niet was, omdat geen bestaand aanbod paste.</p>
${table('Maatwerk per soort hulp', ['Soort hulp', 'Aantal'], r.customArrangements.byKind.map((c) => [kindName(c.key), countText(c)]))}
${r.customArrangements.byMunicipality.length === 0 ? '<p>Geen maatwerk per gemeente in de periode.</p>'
    : table('Maatwerk per gemeente', ['Gemeente', 'Aantal'], r.customArrangements.byMunicipality.map((c) => [municipality(c.key), countText(c)]))}
<h2>Toelichting</h2><p class="note">Wachttijd bij advies: zoals bij het advies vastgelegd (uit het aanbodregister als het
onderdeel een aanbod noemt). Wachttijd nu: de laatst gemelde wachttijd van dat aanbod in het register. Mediaan en
90e percentiel volgens de nearest-rank-methode. Een streepje (—): geen onderdelen om het uit te rekenen.</p>`;
}

export function supplyHtml(r: SupplyReport): string {
  const title = `Aanbod en wachttijden regio ${r.region}${r.municipality ? `, ${municipality(r.municipality)}` : ''}`;
  return `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${SIGNALERING_STYLE}</style></head><body>
<h1>${esc(title)}</h1><p class="meta">Periode: ${esc(dutchDate(r.period.from))} t/m ${esc(dutchDate(r.period.to))}
(Nederlandse tijd) · opgesteld ${esc(r.generatedAt)}</p>
${supplySections(r)}
</body></html>\n`;
}
