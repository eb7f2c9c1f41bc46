/**
 * The statechart of a case as SVG, drawn from the machine's own definition (machines/referral.chart.ts)
 * with the case's current state highlighted. The states stand in their lifecycle order; a step to
 * the next state is an arrow down, any other step an arc on the right whose events' names stand
 * to the right, tied to their arc by a dot on it and a line.
 * No script and no style attribute: the page's content security policy allows neither.
 */
import { lifecycleChart, type Chart } from '../../machines/referral.chart.ts';
import { ACTION_LABELS, STATE_LABELS } from '../http/labels-nl.ts';
import { esc } from './page.ts';

const BOX_W = 230;
const BOX_H = 34;
const GAP = 26;
const X = 10;

const charts = new Map<string, Chart>();

export function statechartSvg(current: string, machineVersion: string): string {
  let chart = charts.get(machineVersion);
  if (!chart) {
    chart = lifecycleChart(machineVersion);
    charts.set(machineVersion, chart);
  }
  const y = (i: number): number => 10 + i * (BOX_H + GAP);
  const index = new Map(chart.states.map((s, i) => [s, i] as const));
  // Withdrawing is possible from every open state: said once, not drawn nine times.
  const edges = chart.edges
    .map((e) => ({ ...e, events: e.events.filter((ev) => ev !== 'WITHDRAW') }))
    .filter((e) => e.events.length > 0);
  const arcs = edges.filter((e) => index.get(e.to)! !== index.get(e.from)! + 1);
  // Each arc's label stands in a gap between two states within its span (never on a state's
  // middle line, where the arcs leave and arrive), the gap nearest the span's middle that no
  // other label holds; the shortest arcs choose first.
  const labelY = new Map<(typeof arcs)[number], number>();
  const taken: number[] = [];
  for (const e of [...arcs].sort((a, b) => span(a) - span(b))) {
    const [first, last] = [index.get(e.from)!, index.get(e.to)!].sort((p, q) => p - q) as [number, number];
    const middle = (y(first) + y(last)) / 2 + BOX_H / 2;
    const gaps = Array.from({ length: last - first }, (_, i) => y(first + i) + BOX_H + GAP / 2)
      .sort((p, q) => Math.abs(p - middle) - Math.abs(q - middle));
    // Where the gaps are full (the older charts have more arcs): beside a gap's centre, or beside
    // the middle line of a state the arc passes.
    const beside = [...gaps.flatMap((g) => [g - 7, g + 7]),
      ...Array.from({ length: Math.max(0, last - first - 1) }, (_, i) => y(first + 1 + i) + BOX_H / 2).flatMap((m) => [m - 10, m + 10])]
      .sort((p, q) => Math.abs(p - middle) - Math.abs(q - middle));
    const free = (at: number) => !taken.some((t) => Math.abs(t - at) < 12);
    const at = gaps.find(free) ?? beside.find(free) ?? middle;
    taken.push(at);
    labelY.set(e, at);
  }
  function span(e: (typeof arcs)[number]): number {
    return Math.abs(index.get(e.to)! - index.get(e.from)!);
  }
  const width = X + BOX_W + 40 + arcs.length * 16 + 250;
  const height = y(chart.states.length) + 10;
  const parts: string[] = [];
  parts.push('<defs><marker id="pijl" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>');
  chart.states.forEach((state, i) => {
    const on = state === current;
    parts.push(`<g><rect x="${X}" y="${y(i)}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${on ? '#00689e' : '#ffffff'}" stroke="${on ? '#00689e' : '#444'}" stroke-width="${on ? 3 : 1}"/>` +
      `<text x="${X + BOX_W / 2}" y="${y(i) + BOX_H / 2 + 5}" text-anchor="middle" font-size="14" font-family="sans-serif" fill="${on ? '#ffffff' : '#111111'}"${on ? ' font-weight="bold"' : ''}>${esc(STATE_LABELS[state] ?? state)}${on ? ' (nu)' : ''}</text></g>`);
  });
  for (const e of edges) {
    const from = index.get(e.from)!;
    const to = index.get(e.to)!;
    const label = e.events.map((ev) => ACTION_LABELS[ev] ?? ev).join(' / ');
    if (to === from + 1) {
      const x = X + 40;
      parts.push(`<line x1="${x}" y1="${y(from) + BOX_H}" x2="${x}" y2="${y(to)}" stroke="#444" marker-end="url(#pijl)"/>` +
        `<text x="${x + 8}" y="${y(from) + BOX_H + GAP / 2 + 4}" font-size="11" font-family="sans-serif" fill="#333333">${esc(label)}</text>`);
      continue;
    }
    const k = arcs.indexOf(e);
    const reach = X + BOX_W + 20 + k * 16;
    const y1 = y(from) + BOX_H / 2;
    const y2 = y(to) + BOX_H / 2;
    const labelX = X + BOX_W + 40 + arcs.length * 16;
    const mid = labelY.get(e)!;
    // The label is tied to its own arc: a dot on the arc and a line from it to the label, so that
    // a line crossing other arcs on its way still says which arc it belongs to.
    parts.push(`<path d="M${X + BOX_W},${y1} H${reach} V${y2} H${X + BOX_W}" fill="none" stroke="#444" stroke-dasharray="${to < from ? '4 3' : 'none'}" marker-end="url(#pijl)"/>` +
      `<circle cx="${reach}" cy="${mid}" r="3" fill="#444"/>` +
      `<line x1="${reach}" y1="${mid}" x2="${labelX - 4}" y2="${mid}" stroke="#767676"/>` +
      `<text x="${labelX}" y="${mid + 4}" font-size="11" font-family="sans-serif" fill="#333333">${esc(label)}</text>`);
  }
  const title = `Statechart van de casus. Huidige status: ${STATE_LABELS[current] ?? current}.`;
  return `<figure class="console-chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-titel" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title id="chart-titel">${esc(title)}</title>${parts.join('')}</svg>` +
    '<figcaption class="utrecht-paragraph utrecht-paragraph--small">De huidige status is gemarkeerd. Intrekken kan in elke open fase; een stippellijn gaat terug.</figcaption></figure>';
}
