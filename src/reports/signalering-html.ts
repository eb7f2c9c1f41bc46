/**
 * The report as a printable HTML page in Dutch: the key figures as tables and server-drawn SVG
 * bar charts. One self-contained document: inline CSS, no script, no external asset; every text
 * that comes from data is escaped.
 */
import type { SignaleringReport } from './signalering-contract.ts';
import { SUPPRESSED_MARK } from './signalering-csv.ts';
import { CLOSED_AS_LABELS, decimal, dutchDate, label, LEAD_TIME_LABELS, percent } from '../http/labels-nl.ts';
import { escapeHtml as esc } from '../http/html.ts';
import { barChart, type Bar } from './signalering-svg.ts';
import { municipalityName } from '../../machines/referral.municipalities.ts';

type Cell = SignaleringReport['submitted']['byReferrerKind'][number];
type Share = SignaleringReport['overleggen']['youthTookPart'];

export const SIGNALERING_STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#1b1b1b;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #154273}
h3{font-size:1rem;margin-bottom:.3rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #bbb;padding:.2rem .6rem;text-align:left}td.n{text-align:right}
svg{display:block;margin:.5rem 0;font-size:12px}svg .bar{fill:#154273}.meta,.note{color:#555}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}svg,table{break-inside:avoid}}`;

const countText = (cell: Cell): string => (cell.suppressed ? SUPPRESSED_MARK : String(cell.count));
/** A missing value: withheld in the figures for publication, else there were no cases to compute it from. */
const missing = (r: SignaleringReport): string => (r.publication ? SUPPRESSED_MARK : '—');
/** In the exact figures, how many values a median or percentile is computed from. */
const sizeText = (n: number | undefined): string => (n === undefined ? '' : ` (n = ${n})`);
const shareText = (share: Share, r: SignaleringReport): string => (share.share === null ? missing(r) : percent(share.share));
const bars = (cells: Cell[], name: (key: string) => string = label): Bar[] =>
  cells.map((c) => ({ label: name(c.key), value: c.count, text: countText(c) }));

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((v, i) => `<td${i > 0 ? ' class="n"' : ''}>${esc(v)}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs.join('')}</tbody></table>`;
}

const cellTable = (what: string, cells: Cell[], name: (key: string) => string = label): string =>
  table([what, 'Aantal'], cells.map((c) => [name(c.key), countText(c)]));

/** A municipality by its name and code: "Amsterdam (GM0363)". */
const municipality = (code: string): string => {
  const name = municipalityName(code);
  return name ? `${name} (${code})` : label(code);
};

const chart = (title: string, cells: Cell[], name?: (key: string) => string): string =>
  `<h3>${esc(title)}</h3>${barChart(title, bars(cells, name))}`;

/** Where a commitment was made; how a case ended (§6.1). */
const SOURCE_NAMES: Record<string, string> = { overleg: 'Overleg', escalation: 'Uitkomst van een opschaling' };
const closedAsName = (key: string): string => CLOSED_AS_LABELS[key] ?? label(key);

const nested = (cells: Cell[], key: string, name: string): Cell[] =>
  cells.find((c) => c.key === key)?.breakdowns?.[name] ?? [];

/** A total, or (a municipality's small one, suppressed) "minder dan 5". */
const shownTotal = (total: number | null): string => (total === null ? 'minder dan 5' : String(total));

function submitted(r: SignaleringReport): string {
  const s = r.submitted;
  return `<h2>Aanmeldingen</h2><p>Aangemeld in de periode: <strong>${shownTotal(s.total)}</strong></p>
${chart('Per aanmelder', s.byReferrerKind)}${chart('Per probleemgebied (een casus telt bij elk gebied)', s.byProblemArea)}
<h3>Per gemeente</h3>${cellTable('Gemeente', s.byMunicipality, municipality)}`;
}

function decisions(r: SignaleringReport): string {
  const d = r.decisions.byDecision;
  return `<h2>Besluiten en afsluitingen</h2><p>Besluiten en afsluitingen in de periode: <strong>${shownTotal(r.decisions.total)}</strong></p>
${chart('Per besluit', d)}<h3>Afgesloten na monitoren: uitkomst</h3>${cellTable('Uitkomst', nested(d, 'closed', 'byOutcome'))}
<h3>Oordeel van het gezin over de passendheid van de hulp</h3>${cellTable('Oordeel', nested(d, 'closed', 'byFamilyViewOfFit'))}
${chart('Hoe de casussen eindigden', r.decisions.closedByHowItEnded, closedAsName)}`;
}

function open(r: SignaleringReport): string {
  const o = r.openAtEnd;
  return `<h2>Open casussen aan het eind van de periode</h2>
<p>Open op ${esc(dutchDate(r.period.asOf))}: <strong>${shownTotal(o.total)}</strong></p>${chart('Per fase', o.byState)}
<h2>Thuiszitters</h2><p class="note">Schoolsituatie bij aanmelding van de open casussen. Thuiszitterspact: geen kind
langer dan 3 maanden thuis zonder passend aanbod.</p>${chart('Per schoolsituatie', o.bySchoolStatus)}
${cellTable('Thuiszitter sinds', nested(o.bySchoolStatus, 'not_attending', 'byDuration'))}`;
}

function leadTimes(r: SignaleringReport): string {
  const entries = Object.entries(LEAD_TIME_LABELS).map(([key, name]) =>
    [name, r.leadTimes[key as keyof typeof LEAD_TIME_LABELS]] as const);
  const days = (v: number | null): string => (v === null ? missing(r) : decimal(v));
  const chartBars = entries.map(([name, t]) => ({ label: name, value: t.medianDays,
    text: t.medianDays === null ? missing(r) : `${decimal(t.medianDays)} dagen${sizeText(t.n)}` }));
  const exact = !r.publication;
  return `<h2>Doorlooptijden</h2><p class="note">In dagen, over de trajecten die in de periode afliepen${exact
    ? '; n is het aantal trajecten waarover mediaan en percentiel gaan' : ''}.</p>
${table(['Traject', 'Mediaan', '90e percentiel', ...exact ? ['n'] : []],
    entries.map(([name, t]) => [name, days(t.medianDays), days(t.p90Days), ...exact ? [String(t.n ?? 0)] : []]))}
${barChart('Mediane doorlooptijd in dagen', chartBars)}`;
}

function participation(r: SignaleringReport): string {
  const o = r.overleggen;
  const shares: Bar[] = [['Jongere nam deel', o.youthTookPart], ['Ouders namen deel', o.parentsTookPart]]
    .map(([name, s]) => ({ label: name as string, value: (s as Share).share, text: shareText(s as Share, r) }));
  return `<h2>Betrokkenheid van jongere en ouders</h2><p>Overleggen in de periode: <strong>${shownTotal(o.total)}</strong>
(deelname: aanwezig, vooraf gehoord of vertegenwoordigd)</p>${barChart('Deelname aan het overleg', shares, 1)}
${chart('Waarom de jongere niet betrokken was', o.youthNotInvolvedByReason)}
${chart('Waarom de ouders niet betrokken waren', o.parentsNotInvolvedByReason)}
${chart('Verstoringen (een overleg telt bij elk type)', o.byDisruption)}`;
}

function advice(r: SignaleringReport): string {
  const a = r.advice;
  const shares: Bar[] = ([['Maatwerk', a.customArrangements], ['Met wachttijd', a.withWaitingTime],
    ['Overbruggingsplan bij wachttijd', a.bridgingPlanWhenWaiting]] as const)
    .map(([name, s]) => ({ label: name, value: s.share, text: shareText(s, r) }));
  const weeks = a.medianWaitingWeeks.weeks === null ? missing(r)
    : `${decimal(a.medianWaitingWeeks.weeks)} weken${sizeText(a.medianWaitingWeeks.n)}`;
  return `<h2>Advies</h2><p>Adviezen: <strong>${shownTotal(a.advices)}</strong>, met <strong>${shownTotal(a.helpItems)}</strong> hulponderdelen.
Mediane wachttijd (van de onderdelen met een wachttijd): <strong>${esc(weeks)}</strong>.</p>
${barChart('Aandeel hulponderdelen en casussen', shares, 1)}`;
}

function deadlines(r: SignaleringReport): string {
  const d = r.deadlines;
  const reassess = d.dueForReassessment.suppressed ? SUPPRESSED_MARK : String(d.dueForReassessment.count);
  return `<h2>Termijnen en herbeoordeling</h2><p>Verstreken termijnen in de periode: <strong>${shownTotal(d.total)}</strong>
(een casus telt eenmaal per soort termijn). Aan herbeoordeling toe (hulp drie maanden na het advies nog niet
gestart): <strong>${esc(reassess)}</strong>.</p>${chart('Casussen over een termijn, per termijn', d.passedByDeadline)}`;
}

function followUp(r: SignaleringReport): string {
  const w = r.helpItems.weeksFromAdviceToStart;
  const weeks = w.medianWeeks === null ? missing(r) : `${decimal(w.medianWeeks)} weken${sizeText(w.n)}`;
  return `<h2>Hulp na het advies</h2><p>Mediane tijd van advies tot start van een hulponderdeel:
<strong>${esc(weeks)}</strong>.</p>${chart('Wijzigingen van hulponderdelen in de periode', r.helpItems.changesByStatus)}
<h2>Opschalingen</h2><p>Opschalingen in de periode: <strong>${shownTotal(r.escalations.total)}</strong>. De casus blijft
bij de regio tot de hulp er is.</p>${chart('Waarheen', r.escalations.byTo)}
${chart('Antwoord (stand aan het eind van de periode)', r.escalations.byAnswer)}
<h2>Afspraken</h2><p>Afspraken gemaakt in de periode, bij het overleg of de uitkomst van een opschaling:
<strong>${shownTotal(r.commitments.total)}</strong>. Elke afspraak wordt gevolgd tot die is afgehandeld.</p>
${chart('Gemaakt bij', r.commitments.bySource, (key) => SOURCE_NAMES[key] ?? key)}
${chart('Afgehandeld (stand aan het eind van de periode)', r.commitments.bySettlement)}`;
}

/** What the figures are: exact for the region's own people, or suppressed for publication. */
const audience = (r: SignaleringReport): string => (r.publication
  ? '<p class="note">Cijfers voor publicatie: kleine aantallen zijn weggelaten (zie de toelichting onderaan).</p>'
  : '<p class="note">Exacte aantallen, voor het expertteam en de inspectie van de regio: niet om te publiceren. ' +
    'De cijfers voor publicatie, met kleine aantallen weggelaten, geeft de API met <code>?publication=true</code>.</p>');

const METHOD = `Mediaan en 90e percentiel volgens de nearest-rank-methode (bij een even aantal de lagere middelste
waarde). De periode loopt van de eerste tot en met de laatste dag, in Nederlandse tijd.`;

/** How to read the figures: what is withheld for publication, or that nothing is. */
const explanation = (r: SignaleringReport): string => `<h2>Toelichting</h2><p class="note">${r.publication
  ? `${esc(SUPPRESSED_MARK)}: minder dan 5, of weggelaten zodat een klein aantal niet uit het totaal en de andere cellen
te herleiden is. Totalen zijn exact. Doorlooptijden en aandelen die op minder dan 5 casussen rusten worden niet getoond.`
  : 'Exacte aantallen: niets is weggelaten. Een streepje (—): geen casussen om het uit te rekenen.'} ${METHOD}</p>`;

/** The report's sections without the page around them (the console shows them in its own frame). */
export function signaleringSections(r: SignaleringReport): string {
  return `${audience(r)}${submitted(r)}${decisions(r)}${open(r)}${leadTimes(r)}${participation(r)}${advice(r)}${followUp(r)}${deadlines(r)}${explanation(r)}`;
}

export function signaleringHtml(r: SignaleringReport): string {
  const region = r.region === '*' ? 'alle regio\'s' : `regio ${r.region}`;
  const title = `Signalering ${region}`;
  return `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${SIGNALERING_STYLE}</style></head><body>
<h1>${esc(title)}</h1><p class="meta">Periode: ${esc(dutchDate(r.period.from))} t/m ${esc(dutchDate(r.period.to))}
(Nederlandse tijd) · opgesteld ${esc(r.generatedAt)}</p>
${signaleringSections(r)}
</body></html>\n`;
}
