/**
 * Small-count suppression for the signalering report (DESIGN §3, DOMAIN §5: as CBS does).
 *
 * A breakdown splits an exact total into cells (per municipality, per state, ...). The reader
 * knows the total and every cell that is shown, so protecting a small cell takes two steps:
 *
 * 1. Primary suppression: every cell below the threshold (5) is suppressed, zero included, so
 *    every cell that is shown is at least 5.
 * 2. Complementary suppression: a single suppressed cell equals the total minus the shown cells.
 *    When exactly one cell is suppressed, the smallest shown cell (the first on a tie) is
 *    suppressed too. With two or more suppressed cells the reader learns only their sum S, and
 *    each of them can be anything from 0 to S; when S is 0 they learn that all of them are zero,
 *    which shows no child.
 *
 * Nested breakdowns (the outcomes of the `closed` cell, the duration of the `not_attending`
 * cell) split a cell instead of the total. Their cells add up to the parent cell, so:
 * - a suppressed parent suppresses all its child cells (shown children would add up to it);
 * - a shown parent is the exact total of its children, and they are protected as above.
 * Nothing flows upward: the parent level is settled before its children are looked at.
 *
 * A breakdown with one cell is its own total: the cell is suppressed when small, but the total
 * stays exact (DESIGN §3), so it carries nothing the total does not. Multi-valued breakdowns
 * (problem areas, disruptions: one case in several cells) get the same rule; their cells add up
 * to more than the total, so the rule protects them at least as well.
 *
 * Figures that are not counts (lead times, shares) are suppressed when they rest on fewer than
 * 5 cases; see signalering.ts.
 */

export const SUPPRESSION_THRESHOLD = 5;

/** A count in a breakdown, before suppression; `children` split this count further. */
export interface RawCell {
  key: string;
  count: number;
  children?: Record<string, RawCell[]>;
}

/** A cell as published: the count, or null when suppressed. */
export interface Cell {
  key: string;
  count: number | null;
  suppressed: boolean;
  breakdowns?: Record<string, Cell[]>;
}

/** Which cells of one breakdown to suppress, primary and complementary. */
export function suppressedFlags(counts: readonly number[], threshold = SUPPRESSION_THRESHOLD): boolean[] {
  const flags = counts.map((count) => count < threshold);
  if (flags.filter(Boolean).length !== 1) return flags;
  let smallest = -1;
  counts.forEach((count, i) => {
    if (!flags[i] && (smallest < 0 || count < counts[smallest]!)) smallest = i;
  });
  if (smallest >= 0) flags[smallest] = true;
  return flags;
}

/** Suppresses one breakdown and, below it, the nested breakdowns of its cells. */
export function suppressBreakdown(cells: readonly RawCell[], threshold = SUPPRESSION_THRESHOLD): Cell[] {
  const flags = suppressedFlags(cells.map((c) => c.count), threshold);
  return cells.map((cell, i) => publish(cell, flags[i] ?? true, threshold));
}

function publish(cell: RawCell, suppressed: boolean, threshold: number): Cell {
  const out: Cell = { key: cell.key, count: suppressed ? null : cell.count, suppressed };
  if (cell.children) {
    out.breakdowns = Object.fromEntries(Object.entries(cell.children).map(([name, children]) => [
      name,
      suppressed ? children.map((c) => publish(c, true, threshold)) : suppressBreakdown(children, threshold),
    ]));
  }
  return out;
}
