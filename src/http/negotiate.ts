/**
 * Content negotiation on the Accept header (RFC 9110 §12.5.1): the offered type with the highest
 * quality wins; a more specific range outranks a wider one for the same type; on a tie the order
 * of `offered` decides. No Accept header means anything is acceptable.
 */

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header.split(',').flatMap((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const [type, subtype] = range.split('/');
    if (!type || !subtype) return [];
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return Number.isFinite(q) && q >= 0 && q <= 1 ? [{ type, subtype, q }] : [];
  });
}

/** The quality the ranges give `offer`: from the most specific range that matches it. */
function qualityOf(offer: string, ranges: MediaRange[]): number {
  const [type, subtype] = offer.split('/');
  let best: { specificity: number; q: number } | undefined;
  for (const r of ranges) {
    const specificity = r.type === type && r.subtype === subtype ? 2
      : r.type === type && r.subtype === '*' ? 1
        : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity >= 0 && (!best || specificity > best.specificity)) best = { specificity, q: r.q };
  }
  return best?.q ?? 0;
}

/** The offered media type to answer with, or undefined when none is acceptable (406). */
export function negotiate<T extends string>(accept: string | undefined, offered: readonly T[]): T | undefined {
  if (accept === undefined || accept.trim() === '') return offered[0];
  const ranges = parseAccept(accept);
  let chosen: T | undefined;
  let chosenQ = 0;
  for (const offer of offered) {
    const q = qualityOf(offer, ranges);
    if (q > chosenQ) [chosen, chosenQ] = [offer, q];
  }
  return chosen;
}
