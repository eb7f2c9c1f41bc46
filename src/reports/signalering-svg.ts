/**
 * Simple bar charts as inline SVG, drawn on the server: no script, no external asset. Every text
 * is escaped; a withheld figure gets its label and `<5` but no bar.
 */
import { escapeHtml } from '../http/html.ts';

export interface Bar {
  label: string;
  /** null when withheld */
  value: number | null;
  /** what is written after the bar */
  text: string;
}

const ROW = 24;
const LABEL_WIDTH = 230;
const BAR_WIDTH = 300;
const WIDTH = LABEL_WIDTH + BAR_WIDTH + 70;

/** Horizontal bars, scaled to `max` (default: the largest value). */
export function barChart(title: string, bars: readonly Bar[], max?: number): string {
  const top = Math.max(max ?? 0, ...bars.map((b) => b.value ?? 0), 1);
  const height = bars.length * ROW + 8;
  const rows = bars.map((bar, i) => {
    const y = i * ROW + 4;
    const width = bar.value === null ? 0 : Math.max(1, Math.round((bar.value / top) * BAR_WIDTH));
    return `<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
      (bar.value === null ? '' : `<rect x="${LABEL_WIDTH}" y="${y + 4}" width="${width}" height="16" class="bar"/>`) +
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + 16}">${escapeHtml(bar.text)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${height}" ` +
    `viewBox="0 0 ${WIDTH} ${height}" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>` +
    `${rows.join('')}</svg>`;
}
