/**
 * pino options shared by the server and the CLI. Requests are logged with their id, method,
 * route and status only; bodies never are. The redaction list is a second line of defence for
 * the personal fields of a case, should any object holding them ever reach a log call.
 */
import type { LoggerOptions } from 'pino';

const PERSONAL_FIELDS = [
  'subject', 'reference', 'birthYear', 'requestForHelp', 'inWordsOfYouth', 'inWordsOfParents',
  'summary', 'triedSoFar', 'school', 'consent', 'wish', 'reason', 'analysis', 'text', 'notes',
  'familyView', 'familyResponse', 'question', 'answer', 'payload', 'snapshot', 'data', 'body',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-purpose"]',
  'token',
  ...PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`]),
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}
