/**
 * Generators of bad input: odd JSON values, mutations of a valid fixture body at a random path,
 * malformed JSON text, odd header values, odd path segments and query strings.
 */
import fc from 'fast-check';
import { EVENT_TYPES } from '../../machines/referral.schemas.ts';
import { events, submission } from '../support/fixtures.ts';

// ---------------------------------------------------------------------------------------------
// Values

/** Strings that trip parsers: NaN-likes, odd unicode, lone surrogates, over-long text. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '\t\n ', 'NaN', 'Infinity', '-Infinity', '-0', '1e999', '0x1F', '9007199254740993',
    'null', 'true', 'undefined', '[object Object]', '\u0000', '\u202eevil', '\ufeffBOM', 'Ω≈ç√∫',
    '👩‍👩‍👧‍👦', 'ﷺ', 'e\u0301', '\ud800', '\udfff', 'a\ud83d', '<script>alert(1)</script>',
    "'; DROP TABLE cases; --", '%00', '../../etc/passwd', 'GM0363 ', 'gm0363', 'GM03630',
    '2026-02-30', '2026-13-01T00:00:00Z', '2026-02-10T25:00:00+01:00', '2026-02-10', '1900', '2012',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // any UTF-16 code unit: controls and lone surrogates included
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  // longer than every text field allows (10 000 characters)
  fc.integer({ min: 10_001, max: 11_000 }).map((n) => 'x'.repeat(n)),
);

/**
 * Not text (§5.1, issue 29): a NUL character, a surrogate without its partner, a control character
 * (C0 but tab, line feed and carriage return; DEL; C1) or a bidirectional embedding, override or
 * isolate.
 */
export const NOT_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\u202A-\u202E\u2066-\u2069]/;
/** Inside a one-line value (a name, a reference: 200 characters or fewer) these are refused too: odd text has none. */
const NOT_ONE_LINE = /[\t\n\r\u2028\u2029\u200E\u200F]/;
/** Odd strings that are still text, in any field: the service stores them (NFC-normalised). */
export const oddText: fc.Arbitrary<string> = oddString.filter((s) => !NOT_TEXT.test(s) && !NOT_ONE_LINE.test(s));
/** The characters that make a string not text, in every field. */
export const NOT_TEXT_CHARACTERS = ['\u0000', '\ud800', '\udfff', 'a\ud83d', '\u001b', '\u0007', '\u007f', '\u0085', '\u009b',
  '\u202a', '\u202e', '\u2066', '\u2069'] as const;
/** Strings that are not text: one of those somewhere in otherwise odd text. */
export const notText: fc.Arbitrary<string> = fc
  .tuple(oddText.map((s) => s.slice(0, 50)), fc.constantFrom(...NOT_TEXT_CHARACTERS), oddText.map((s) => s.slice(0, 50)))
  .map(([a, bad, b]) => `${a}${bad}${b}`)
  .filter((s) => NOT_TEXT.test(s));

export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE,
    2 ** 31, -(2 ** 63), 1899, 1900, 2200, 2201, 520, 520.0001),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Values of the enums of the schemas: a replacement with one may make the body valid again. */
const enumLike = fc.constantFrom(
  'given', 'refused', 'not_asked', 'professional', 'parent', 'youth', 'attending', 'not_attending',
  'urgent', 'regular', 'mental_health', 'other', 'custom_arrangement', 'existing_offer',
  'not_involved', 'present', 'jeugdwet', 'agrees', 'national', 'help_in_place', 'fits',
);

/** An event type, a near miss of one, or a name that lives on Object.prototype. */
export const eventTypeLike: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...EVENT_TYPES),
  fc.constantFrom('add_note', 'ADD_NOTE ', ' ADD_NOTE', 'ADD-NOTE', 'SUBMIT', 'DEADLINE_PASSED',
    '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'xstate.init', '*', ''),
  fc.string({ unit: 'grapheme-ascii', maxLength: 24 }),
  fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string'),
);

/** Any JSON value, weighted towards the odd ones. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: enumLike },
  { weight: 1, arbitrary: eventTypeLike },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], [[]], { '': '' }) },
);

/** Keys no schema knows, including the prototype-pollution ones. */
export const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', 'version', 'state',
    'at', 'seq', 'region', 'organisation', 'naam', 'bsn', 'x', ''),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

// ---------------------------------------------------------------------------------------------
// Mutating a valid body

export type JsonPath = (string | number)[];
type Node = Record<string | number, unknown>;

const isContainer = (v: unknown): v is Node => typeof v === 'object' && v !== null;
const isPlainObject = (v: unknown): v is Record<string, unknown> => isContainer(v) && !Array.isArray(v);

/** Every node of a JSON value, the root (`[]`) included. */
export function nodePaths(value: unknown, at: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodePaths(v, [...at, i])));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) out.push(...nodePaths(v, [...at, k]));
  return out;
}

export function getAt(value: unknown, path: JsonPath): unknown {
  let node = value;
  for (const key of path) {
    if (!isContainer(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Sets an own property, even one called __proto__. */
function define(node: Node, key: string | number, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, configurable: true, writable: true });
}

export type Mutation =
  | { kind: 'replace'; path: JsonPath; value: unknown }
  | { kind: 'delete'; path: JsonPath }
  | { kind: 'add'; path: JsonPath; key: string; value: unknown };

/** Applies the mutations in order to a copy; one whose path no longer exists is skipped. */
export function mutate(body: unknown, mutations: readonly Mutation[]): unknown {
  let root = structuredClone(body);
  for (const m of mutations) {
    if (m.path.length === 0 && m.kind === 'replace') {
      root = structuredClone(m.value);
      continue;
    }
    if (m.kind === 'add') {
      const node = getAt(root, m.path);
      if (!isPlainObject(node)) continue;
      const key = Object.hasOwn(node, m.key) ? `${m.key}_extra` : m.key;
      define(node, key, structuredClone(m.value));
      continue;
    }
    if (m.path.length === 0) continue; // deleting the root: nothing to send is another property
    const parent = getAt(root, m.path.slice(0, -1));
    const key = m.path.at(-1)!;
    if (!isContainer(parent) || !Object.hasOwn(parent, key)) continue;
    if (m.kind === 'replace') define(parent, key, structuredClone(m.value));
    else if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  }
  return root;
}

/** One to three mutations of `body`: a field replaced by any JSON value, removed, or an unknown one added. */
export function mutationsOf(body: unknown, value: fc.Arbitrary<unknown> = anyJson): fc.Arbitrary<Mutation[]> {
  const all = nodePaths(body);
  const inner = all.filter((p) => p.length > 0);
  const objects = all.filter((p) => isPlainObject(getAt(body, p)));
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...inner), value }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), path: fc.constant<JsonPath>([]), value }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...inner) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom(...objects), key: unknownKey, value }) },
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 });
}

/** The free-text values of a fixture: personal data a problem body must never repeat. */
export function freeTexts(value: unknown): string[] {
  return nodePaths(value)
    .map((p) => getAt(value, p))
    .filter((v): v is string => typeof v === 'string' && /\s/.test(v.trim()));
}

/** Every free-text value of the fixtures (all events and the submission). */
export const FIXTURE_FREE_TEXT: readonly string[] = [
  ...EVENT_TYPES.flatMap((t) => freeTexts(events[t]())), ...freeTexts(submission()),
];

/** A string that cannot be anywhere in an answer unless the answer echoes the request. */
export const marker: fc.Arbitrary<string> = fc.uuid().map((u) => `PII${u.replaceAll('-', '')}`);

// ---------------------------------------------------------------------------------------------
// JSON text

/** Deeply nested arrays or objects, balanced or not, up to 100 000 levels (under 1 MiB). */
export const deepJson: fc.Arbitrary<string> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1_000, max: 100_000 })),
    shape: fc.constantFrom('array', 'object', 'mixed'),
    balanced: fc.boolean(),
    leaf: fc.constantFrom('1', '"x"', 'null', '{}', '[]', '{"constructor":{"prototype":{"polluted":true}}}', '{"__proto__":{"polluted":true}}'),
  })
  .map(({ depth, shape, balanced, leaf }) => {
    const open = shape === 'array' ? '[' : shape === 'object' ? '{"a":' : '[{"a":';
    const close = shape === 'array' ? ']' : shape === 'object' ? '}' : '}]';
    return open.repeat(depth) + leaf + (balanced ? close.repeat(depth) : close.repeat(Math.floor(depth / 2)));
  });

/**
 * JSON text derived from a valid body that a server must refuse or cope with: truncated, with
 * garbage spliced in, numbers spelled as JSON cannot hold them, prototype keys injected, or random.
 */
export function brokenJsonText(valid: unknown): fc.Arbitrary<string> {
  const text = JSON.stringify(valid);
  const objectKeys = nodePaths(valid).filter((p) => isPlainObject(getAt(valid, p)));
  return fc.oneof(
    // truncated: a proper prefix of an object is never valid JSON
    fc.nat({ max: text.length - 1 }).map((n) => text.slice(0, n)),
    // garbage spliced in
    fc.tuple(fc.nat({ max: text.length }), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }))
      .map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
    // a number literal JSON.parse turns into Infinity, or one JSON does not allow at all
    fc.constantFrom('1e400', '-1e400', '01', '1.', '.5', '+1', 'NaN', 'Infinity', '0x10', '1_000', '--1')
      .map((n) => text.replace(/:(-?\d+(\.\d+)?)([,}])/, `:${n}$3`)),
    // __proto__ / constructor.prototype keys in some object of the body
    fc.tuple(fc.constantFrom(...objectKeys), fc.constantFrom(
      '"__proto__":{"isAdmin":true}', '"constructor":{"prototype":{"isAdmin":true}}', '"__proto__":null',
      '"__proto__":[]', '"constructor":{"prototype":null}',
    )).map(([path, injected]) => injectIntoObject(valid, path, injected)),
    // trailing or leading garbage
    fc.tuple(fc.constantFrom('', ' '), fc.constantFrom(',', '}', ']', 'x', '\u0000', '{}', '//', '/* */'), fc.boolean())
      .map(([space, junk, before]) => (before ? junk + space + text : text + space + junk)),
    // duplicated keys, single quotes, comments
    fc.constantFrom(
      text.replace('{', "{'referrer':1,"), text.replace('{', '{/*c*/'), text.replace(/"/g, "'"),
    ),
    fc.string({ unit: 'binary', maxLength: 200 }),
    deepJson,
  );
}

/** The text of `value` with `member` as the first member of the object at `path`. */
function injectIntoObject(value: unknown, path: JsonPath, member: string): string {
  const placeholder = '\u0001inject';
  const node = getAt(value, path) as Record<string, unknown>;
  const text = JSON.stringify(mutate(value, [{ kind: 'replace', path, value: { [placeholder]: 0, ...node } }]));
  return text.replace(`${JSON.stringify(placeholder)}:0`, member);
}

/** Bodies that are no JSON object at all. */
export const notAnObjectText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).filter((v) => !isPlainObject(v)).map((v) => JSON.stringify(v)),
  fc.constantFrom('', ' ', 'null', 'true', '0', '""', '[]', '[{}]', '"{}"', '\ufeff', '\r\n'),
);

// ---------------------------------------------------------------------------------------------
// Headers

/** Printable ASCII, as a header value can carry it. */
export const asciiHeader = (maxLength = 100): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

export const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON',
  'application/json;charset=UTF-8'] as const;

export const NON_JSON_TYPES = ['text/plain', 'application/xml', 'text/xml', 'text/html',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream',
  'application/jsonx', 'application/json-patch+json', 'application/merge-patch+json',
  'application/problem+json', 'application/ld+json', 'text/json', 'json', 'application/', '/json',
  'application/json\tx', 'application', '*/*'] as const;

/** A Content-Type that is surely not JSON. */
export const nonJsonType: fc.Arbitrary<string> = fc.constantFrom(...NON_JSON_TYPES);

/** JSON with a charset other than UTF-8 named: a service may read it or refuse it with 415. */
export const jsonWithOddCharset: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('application/json; charset=latin1', 'application/json; charset=iso-8859-1',
    'application/json; charset=utf-16', 'application/json; charset=', 'application/json;',
    'application/json; charset=utf-8; charset=latin1', 'application/json; foo=bar'),
  asciiHeader(30).map((c) => `application/json; charset=${c}`),
);

/** Anything at all in Content-Type. */
export const garbageType: fc.Arbitrary<string> = fc.oneof(
  asciiHeader(60),
  fc.constantFrom(';;;==', '===', ';', ',', 'application/json, text/plain', 'text/plain; application/json',
    '\t', 'application/json\u0000'),
);

/** An Authorization header that carries no valid token. */
export function badAuthorization(validToken: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', ' ', 'Bearer', 'Bearer ', 'Bearer  ', 'bearer', 'Basic dXNlcjpwYXNz', 'Token abc',
      'Bearer null', 'Bearer undefined', 'Bearer psd_', `Basic ${validToken}`, `Token ${validToken}`,
      `${validToken}`, `Bearer ${validToken}x`, `Bearer ${validToken.slice(0, -1)}`,
      `Bearer ${validToken} ${validToken}`, `Bearer ${validToken.toUpperCase()}`, `Bearer "${validToken}"`,
      `Bearer${validToken}`, `Bearer ${validToken},`),
    asciiHeader(100),
    asciiHeader(40).map((t) => `Bearer ${t}`),
    fc.integer({ min: 1_000, max: 20_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
    fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'x'.repeat(n)),
  ).filter((header) => !new RegExp(`^Bearer\\s+${validToken}\\s*$`, 'i').test(header));
}

/**
 * An X-Purpose an inspector may not send: missing, empty, blank, over 200 characters, or with a C1
 * control character (a header is read as latin1: bytes 0x80–0x9F arrive as C1 controls).
 */
export const badPurpose: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', ' ', '\t', '   \t  ', 'Onderzoek\u0085 2026-17', '\u009bOnderzoek 2026-17', 'Onderzoek\t2026-17'),
  fc.tuple(
    fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 201, maxLength: 2_000 }),
    fc.constantFrom('', ' ', '  '),
  ).map(([core, pad]) => pad + core + pad),
);

/** A valid X-Purpose: 1 to 200 characters after trimming. */
export const goodPurpose: fc.Arbitrary<string> = fc
  .string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 200 });

export const acceptHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('*/*', 'application/json', 'application/problem+json', 'text/html', 'text/csv',
    'application/xml', 'image/png', 'application/json;q=0', '*/*;q=0', 'text/*', ';;;', '', ',,,',
    'application/json; version=2', 'application/vnd.passend.v2+json'),
  asciiHeader(80),
);

/** If-Match values that never name version `version` nor `*`. */
export function badIfMatch(version: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', ' ', '""', '"0"', '"-1"', `W/"${version}"`, `${version}`, `'${version}'`,
      `"${version + 1}"`, `"${version}.0"`, '"01"', ',', '"a", "b"', 'null', `"${version} "`),
    asciiHeader(60),
    fc.integer().map((n) => `"${n}"`),
  ).filter((h) => {
    const tags = h.split(',').map((t) => t.trim());
    return !tags.includes('*') && !tags.includes(`"${version}"`);
  });
}

// ---------------------------------------------------------------------------------------------
// Paths and query strings

/**
 * A path segment for {id}, percent-encoded: never a case id, never `.` or `..` (which a client
 * resolves before sending), at most 200 characters (the router's limit).
 */
export const oddIdSegment: fc.Arbitrary<string> = fc
  .oneof(
    fc.webSegment(),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.uuid(),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.string({ unit: 'grapheme-ascii', minLength: 150, maxLength: 200 }),
    fc.integer({ min: 190, max: 200 }).map((n) => 'a'.repeat(n)),
    fc.constantFrom(' ', '%', 'null', 'undefined', '0', '-1', '1e400', "' OR 1=1 --", '*', '?', '#',
      '\u0000', '__proto__', 'constructor', 'events', 'trail', 'cases'),
  )
  .map((id) => encodeURIComponent(id))
  .filter((seg) => seg.length > 0 && seg.length <= 200 && seg !== '.' && seg !== '..');

/** Raw percent-escapes: invalid UTF-8 byte sequences, broken escapes, encoded NULs and slashes. */
export const rawPercentSegment: fc.Arbitrary<string> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 12 })
    .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')),
  fc.constantFrom('%', '%%', '%zz', '%4', '%E0%A4%A', '%C0%AF', '%FF', '%ED%A0%80', '%F4%90%80%80',
    'a%', '%2', '%u0041', '%00', '%2F', '%2e%2e'),
  fc.tuple(fc.webSegment(), fc.constantFrom('%', '%G1', '%E2%82')).map(([s, bad]) => s + bad),
);

export const LIST_PARAMS = ['limit', 'cursor', 'state', 'overdue', 'municipality'] as const;

const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '0', '1', '20', '100', '101', '-1', '1.5', '1e2', ' 5 ', '0x10', 'NaN', 'Infinity',
    'true', 'false', 'TRUE', '1 ', 'submitted', 'closed', 'SUBMITTED', 'follow_up', 'GM0363', 'gm0363',
    'GM036', 'GM03630', 'czE', 'czA', 'czk5OTk5OTk5OTk5OTk5OTk5OQ', 's1', '%', '%zz', '%E0', '\u0000',
    'a'.repeat(65), 'a'.repeat(64), '[]', '{}', '__proto__'),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  fc.base64String({ maxLength: 80 }),
  fc.integer().map(String),
  fc.double().map(String),
);

const queryKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LIST_PARAMS) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'limit[]', 'state[0]', 'LIMIT', '', 'limit ', 'page', 'sort') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

/** key=value pairs, keys repeated at times; encoded as a client would, or sent raw. */
export const queryPairs: fc.Arbitrary<[string, string][]> = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 6 });

export function encodeQuery(pairs: readonly [string, string][], raw = false): string {
  const enc = (s: string) => (raw ? s.replace(/[#\s]/g, '') : encodeURIComponent(s));
  return pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE',
  'CONNECT', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'QUERY',
  'REPORT', 'PURGE', 'LINK', 'UNLINK', 'MERGE', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'ACL', 'BIND',
  'REBIND', 'UNBIND', 'CHECKOUT', 'MKACTIVITY', 'MKCALENDAR', 'M-SEARCH', 'SOURCE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
