/**
 * A case-insensitive match on a part of a text, written once for both stores (the work list's
 * reference, the access log's reader): the same rows on SQLite and PostgreSQL.
 */
import { eq, or, sql, type Column, type SQL } from 'drizzle-orm';
import type { Dialect } from './dialect.ts';

/** `%`, `_` and the escape character itself, matched as themselves by a LIKE … ESCAPE '\\'. */
export const likeEscaped = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `value` contains `part`, ignoring the case of ASCII letters only (the dialect's `asciiCollation`), so
 * that both stores find the same rows. LIKE is case-sensitive on PostgreSQL and not on SQLite; on
 * lowered text on both sides it answers alike.
 */
export function containsFolded(d: Dialect, value: SQL | Column, part: string): SQL {
  // No stored text holds a NUL (and PostgreSQL refuses one in a parameter): nothing matches.
  if (part.includes('\0')) return sql`1 = 0`;
  const lower = (x: SQL | Column | string): SQL => sql`lower(CAST(${x} AS text)${sql.raw(d.asciiCollation)})`;
  return sql`${lower(value)} LIKE ${lower(`%${likeEscaped(part)}%`)} ESCAPE '\\'`;
}

/** An access log line's reader: part of the name or organisation (as containsFolded), or exactly the client id. */
export function readerMatches(d: Dialect, line: { actorName: Column; actorOrganisation: Column; actorClientId: Column },
  reader: string): SQL {
  if (reader.includes('\0')) return sql`1 = 0`;
  return or(containsFolded(d, line.actorName, reader), containsFolded(d, line.actorOrganisation, reader),
    eq(line.actorClientId, reader))!;
}
