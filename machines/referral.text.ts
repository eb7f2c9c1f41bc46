/**
 * Text hygiene for every string the service takes in (DESIGN §5.1): one place, so that every
 * field of every route refuses the same things and stores the same form.
 *
 * - A NUL character or an unpaired surrogate is refused: neither is text, both break exports,
 *   CSV readers and the hashes an inspector recomputes elsewhere.
 * - Control characters (C0 and C1, DEL) are refused, but for tab, line feed and carriage return in
 *   a long text; bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
 *   are refused everywhere: a reference with an override reads as something else in a worklist.
 *   A one-line value (200 characters or fewer: a name, a reference) holds no tab, line
 *   break or direction mark (U+200E, U+200F) inside either.
 * - Required text must say something: only white space or zero-width characters is refused.
 * - Texts are stored NFC-normalised, so "é" typed two ways is one value in reports and searches.
 * - Too long is refused with the limit named (zod's own message carries it to invalidParams).
 */
import { z } from 'zod';

// U+0000, and a high surrogate not followed by a low one or a low one not preceded by a high one.
const NOT_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 and C1 control characters and DEL, but tab, line feed and carriage return.
const CONTROL = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// Bidirectional embeddings, overrides and isolates.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
// What a one-line value holds nowhere but at its ends (where text() trims white space away).
const NOT_ONE_LINE = /[\t\n\r\u2028\u2029\u200E\u200F]/;
/** Texts this long or shorter are one-line values. */
export const ONE_LINE_MAX = 200;
// White space, and the invisible characters that make a text look filled while saying nothing.
// eslint-disable-next-line no-misleading-character-class -- U+034F is listed on its own on purpose: a lone one says nothing
const INVISIBLE = /[\s\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u034F\u180E]/gu;

export const TEXT_MAX = 10_000;

/** Whether `value` holds something visible once white space and zero-width characters are gone. */
export function saysSomething(value: string): boolean {
  return value.replace(INVISIBLE, '').length > 0;
}

/**
 * What a rule accepts as a reason, rationale or explanation (§5.1): at least 10 characters after
 * trimming, letters among them. "." or "n.v.t" does not explain anything.
 */
export function explains(value: string | undefined): boolean {
  if (value === undefined) return false;
  const trimmed = value.replace(INVISIBLE, ' ').trim();
  return [...trimmed].length >= 10 && /\p{L}/u.test(trimmed);
}

/** Whether a text has no control character or bidirectional override (see the top of this file). */
export function isCleanText(value: string, max = TEXT_MAX): boolean {
  return !NOT_TEXT.test(value) && !CONTROL.test(value) && !BIDI.test(value)
    && (max > ONE_LINE_MAX || !NOT_ONE_LINE.test(value.trim()));
}

/**
 * Any string field: no NUL, unpaired surrogate, control character or bidirectional override, at
 * most `max` characters, stored NFC.
 */
export const cleanString = (max = TEXT_MAX) =>
  z.string()
    .max(max)
    .refine((s) => !NOT_TEXT.test(s), 'must not contain NUL characters or unpaired surrogates')
    .refine((s) => !CONTROL.test(s) && !BIDI.test(s),
      'must not contain control characters or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)')
    .refine((s) => max > ONE_LINE_MAX || !NOT_ONE_LINE.test(s.trim()),
      'must be one line: no tab, line break or direction mark inside')
    .overwrite((s) => s.normalize('NFC'));

/** Free text that must say something: trimmed, and not only white space or zero-width characters. */
export const text = (max = TEXT_MAX) =>
  cleanString(max)
    .trim()
    .refine(saysSomething, 'must not be empty, white space or invisible characters only');

/** A name (organisation, coordinator, …). */
export const name = () => text(200);

/**
 * Free text that an IGJ rule checks for content: the schema lets empty values through, so that
 * the rule answers with its own 422 code instead of a generic 400.
 */
export const ruleText = (max = TEXT_MAX) => cleanString(max).optional();
