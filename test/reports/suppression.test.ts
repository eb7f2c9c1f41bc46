/**
 * Small-count suppression (src/reports/suppression.ts), with properties over any breakdown: the
 * reader knows the exact total and every shown cell, and must not be able to work back any
 * suppressed cell that is not zero.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Figures } from '../../src/reports/signalering-figures.ts';
import { suppressBreakdown, suppressedFlags, type Cell, type RawCell } from '../../src/reports/suppression.ts';
import type { Distribution } from '../../src/reports/signalering-raw.ts';

/** Counts as signalering has them: many small ones, some large. */
const count = fc.oneof(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 60 }));
const counts = fc.array(count, { minLength: 2, maxLength: 12 });

/**
 * What a reader can learn of suppressed cell `i`: the suppressed cells add up to the total minus
 * the shown ones, and each is at least 0. Returns the smallest and largest value it can have.
 */
function bounds(all: readonly number[], flags: readonly boolean[], i: number): [number, number] {
  const hidden = all.reduce((sum, c, j) => (flags[j] ? sum + c : sum), 0);
  const others = flags.filter((f, j) => f && j !== i).length;
  return [others === 0 ? hidden : 0, hidden];
}

function checkBreakdown(input: readonly number[], cells: readonly Cell[]): void {
  const flags = cells.map((c) => c.suppressed);
  const suppressed = flags.filter(Boolean).length;
  expect(suppressed === 0 || suppressed >= 2).toBe(true);
  cells.forEach((cell, i) => {
    if (cell.suppressed) {
      expect(cell.count).toBeNull();
      const [low, high] = bounds(input, flags, i);
      if (input[i]! > 0) expect(low).toBeLessThan(high);
    } else {
      expect(cell.count).toBe(input[i]);
      expect(cell.count).toBeGreaterThanOrEqual(5);
    }
  });
}

describe('suppressedFlags', () => {
  it.each([
    [[3, 10, 20], [true, true, false]],
    [[0, 7, 7], [true, true, false]],
    [[2, 3, 50], [true, true, false]],
    [[10, 20, 5], [false, false, false]],
    [[4, 4, 4], [true, true, true]],
    [[1, 0], [true, true]],
    [[6, 4], [true, true]],
  ])('suppresses %j as %j', (input, expected) => {
    expect(suppressedFlags(input)).toEqual(expected);
  });

  it('suppresses every count below 5 and shows every other, unless it must cover a lone small one', () => {
    fc.assert(fc.property(counts, (input) => {
      const flags = suppressedFlags(input);
      const primary = input.filter((c) => c < 5).length;
      input.forEach((c, i) => { if (c < 5) expect(flags[i]).toBe(true); });
      expect(flags.filter(Boolean).length).toBe(primary === 1 ? 2 : primary);
    }));
  });

  it('leaves no suppressed cell that can be worked back: none or at least two, and all shown cells ≥ 5', () => {
    fc.assert(fc.property(counts, (input) => {
      checkBreakdown(input, suppressBreakdown(input.map((c, i) => ({ key: `k${i}`, count: c }))));
    }));
  });

  it('takes the smallest shown cell as the complement, so that as little as possible is hidden', () => {
    fc.assert(fc.property(counts, (input) => {
      const flags = suppressedFlags(input);
      if (input.filter((c) => c < 5).length !== 1) return;
      const complement = input.findIndex((c, i) => flags[i] && c >= 5);
      const shown = input.filter((_, i) => !flags[i]);
      expect(shown.every((c) => c >= input[complement]!)).toBe(true);
    }));
  });
});

/** A breakdown whose cells may be split further; every split adds up to its cell. */
const nested: fc.Arbitrary<RawCell[]> = fc.array(
  fc.oneof(
    count.map((c) => ({ count: c })),
    fc.array(count, { minLength: 2, maxLength: 4 }).map((split) => ({
      count: split.reduce((a, b) => a + b, 0),
      children: { byA: split, byB: [...split].reverse() },
    })),
  ),
  { minLength: 2, maxLength: 8 },
).map((list) => list.map((c, i) => ({
  key: `k${i}`,
  count: c.count,
  ...('children' in c ? { children: Object.fromEntries(Object.entries(c.children)
    .map(([name, split]) => [name, split.map((n, j) => ({ key: `c${j}`, count: n }))])) } : {}),
})));

describe('suppressBreakdown with nested breakdowns', () => {
  it('suppresses all children of a suppressed cell, and protects the children of a shown one by its count', () => {
    fc.assert(fc.property(nested, (raw) => {
      const cells = suppressBreakdown(raw);
      checkBreakdown(raw.map((c) => c.count), cells);
      cells.forEach((cell, i) => {
        for (const [name, children] of Object.entries(cell.breakdowns ?? {})) {
          const input = raw[i]!.children![name]!.map((c) => c.count);
          if (cell.suppressed) expect(children.every((c) => c.suppressed && c.count === null)).toBe(true);
          else checkBreakdown(input, children);
        }
      });
    }), { numRuns: 500 });
  });

  it('suppresses a shown cell\'s children when one of them alone is small: 6 = 5 + 1 shows neither', () => {
    expect(suppressBreakdown([
      { key: 'attending', count: 20 },
      { key: 'not_attending', count: 6, children: { byDuration: [
        { key: 'more_than_3_months', count: 5 }, { key: 'up_to_3_months', count: 1 }] } },
    ])).toEqual([
      { key: 'attending', count: 20, suppressed: false },
      { key: 'not_attending', count: 6, suppressed: false, breakdowns: { byDuration: [
        { key: 'more_than_3_months', count: null, suppressed: true },
        { key: 'up_to_3_months', count: null, suppressed: true }] } },
    ]);
  });
});

describe('shares and percentiles (Figures)', () => {
  const figures = (counts: Record<string, Record<string, number>>, distributions: Record<string, Distribution> = {}) =>
    new Figures({
      counts: new Map(Object.entries(counts).map(([f, byKey]) => [f, new Map(Object.entries(byKey))])),
      distributions: new Map(Object.entries(distributions)),
      municipalities: [],
    });

  it('shows a share only when both the part and the rest are at least 5', () => {
    const f = figures({});
    expect(f.share(6, 13)).toEqual({ share: 0.462, suppressed: false });
    expect(f.share(5, 10)).toEqual({ share: 0.5, suppressed: false });
    expect(f.share(4, 100)).toEqual({ share: null, suppressed: true });
    expect(f.share(96, 100)).toEqual({ share: null, suppressed: true });
    expect(f.share(0, 20)).toEqual({ share: null, suppressed: true });
    fc.assert(fc.property(fc.nat(200), fc.nat(200), (part, rest) => {
      const { suppressed } = f.share(part, part + rest);
      expect(suppressed).toBe(part < 5 || rest < 5);
    }));
  });

  it('withholds the 90th percentile below 10 values, and the whole lead time below 5', () => {
    const f = figures({}, {
      nine: { n: 9, p50: 3, p90: 30 }, ten: { n: 10, p50: 3, p90: 30 }, four: { n: 4, p50: 3, p90: 30 },
    });
    expect(f.leadTime('nine')).toEqual({ medianDays: 3, p90Days: null, suppressed: false });
    expect(f.leadTime('ten')).toEqual({ medianDays: 3, p90Days: 30, suppressed: false });
    expect(f.leadTime('four')).toEqual({ medianDays: null, p90Days: null, suppressed: true });
  });
});
