/**
 * The report as CSV (RFC 4180): a header, then one row per figure, `section,figure,category,value`,
 * CRLF line ends. A suppressed figure has the value `<5`; nested breakdowns are named by their
 * path (`byDecision.closed.byOutcome`). Numbers use a decimal point.
 */
import type { SignaleringReport } from './signalering-contract.ts';

export const CSV_HEADER = ['section', 'figure', 'category', 'value'] as const;
export const SUPPRESSED_MARK = '<5';

type Row = [section: string, figure: string, category: string, value: string];
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A text field as RFC 4180 wants it; text that a spreadsheet would run as a formula is defused. */
export function csvField(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const isCells = (value: Json): value is { key: string; count: number | null; suppressed: boolean }[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && 'key' in v && 'count' in v);

const plain = (value: Json): string => (value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

function cellRows(section: string, figure: string, cells: Json[]): Row[] {
  return cells.flatMap((raw) => {
    const cell = raw as { key: string; count: number | null; suppressed: boolean; breakdowns?: Record<string, Json> };
    const own: Row = [section, figure, cell.key, cell.suppressed ? SUPPRESSED_MARK : plain(cell.count)];
    const nested = Object.entries(cell.breakdowns ?? {})
      .flatMap(([name, list]) => cellRows(section, `${figure}.${cell.key}.${name}`, list as Json[]));
    return [own, ...nested];
  });
}

/** A count that is null only when suppressed (a municipality's small total, §6.4). */
const isTotal = (name: string): boolean => ['total', 'advices', 'helpItems'].includes(name);

function rows(section: string, figure: string, value: Json): Row[] {
  if (isCells(value)) return cellRows(section, figure, value);
  if (Array.isArray(value)) return value.flatMap((v, i) => rows(section, `${figure}.${i}`, v));
  if (value === null || typeof value !== 'object') return [[section, figure, '', plain(value)]];
  const suppressed = value.suppressed === true;
  return Object.entries(value)
    .filter(([name]) => name !== 'suppressed')
    .flatMap(([name, v]) => ((suppressed && (v === null || typeof v !== 'object')) || (isTotal(name) && v === null)
      ? [[section, figure ? `${figure}.${name}` : name, '', SUPPRESSED_MARK] as Row]
      : rows(section, figure ? `${figure}.${name}` : name, v)));
}

export function signaleringCsv(report: SignaleringReport): string {
  return reportCsv(report);
}

/** Any report of counts as this CSV (the supply report's too): one row per figure. */
export function reportCsv(report: object): string {
  const all = Object.entries(report as unknown as Record<string, Json>).flatMap(([name, value]) =>
    (value === null || typeof value !== 'object' ? [['report', name, '', plain(value)] as Row] : rows(name, '', value)));
  return [[...CSV_HEADER], ...all].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
