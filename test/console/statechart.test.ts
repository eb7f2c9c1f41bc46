/**
 * The console's statechart (src/console/statechart-svg.ts): every arc's label is tied to its own
 * arc (a dot on the arc and a line from it to the label), labels never share a line, and no label
 * stands on a state's middle line, where arcs leave and arrive.
 */
import { describe, expect, it } from 'vitest';
import { MACHINE_VERSIONS } from '../../machines/referral.ts';
import { statechartSvg } from '../../src/console/statechart-svg.ts';

const numbers = (text: string) => text.match(/-?\d+(?:\.\d+)?/g)!.map(Number);

describe('the statechart drawn on the case page', () => {
  for (const version of MACHINE_VERSIONS) {
    it(`ties each arc's label to its arc (machine ${version})`, () => {
      const svg = statechartSvg('advising', version);
      // An arc: M<box right>,<y1> H<lane> V<y2> H<box right>.
      const arcs = [...svg.matchAll(/<path d="M([\d.]+),([\d.]+) H([\d.]+) V([\d.]+) H[\d.]+"[^>]*\/><circle cx="([\d.]+)" cy="([\d.]+)" r="3"[^>]*\/><line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"[^>]*\/><text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)<\/text>/g)]
        .map((m) => numbers(m.slice(1, 13).join(' ')));
      expect(arcs.length).toBeGreaterThanOrEqual(3);
      const boxMiddles = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)]
        .map((m) => Number(m[1]) + Number(m[2]) / 2);
      const labelLines: number[] = [];
      for (const [, y1, lane, y2, dotX, dotY, lineX1, lineY1, , lineY2, , textY] of arcs) {
        // The dot is on this arc's vertical stretch, and the line starts at the dot and runs level to the label.
        expect(dotX).toBe(lane);
        expect(dotY).toBeGreaterThan(Math.min(y1!, y2!));
        expect(dotY).toBeLessThan(Math.max(y1!, y2!));
        expect([lineX1, lineY1, lineY2]).toEqual([dotX, dotY, dotY]);
        expect(textY! - dotY!).toBe(4);
        for (const middle of boxMiddles) expect(Math.abs(dotY! - middle)).toBeGreaterThan(6);
        labelLines.push(dotY!);
      }
      for (const [i, a] of labelLines.entries()) {
        for (const b of labelLines.slice(i + 1)) expect(Math.abs(a - b)).toBeGreaterThanOrEqual(12);
      }
    });
  }
});
