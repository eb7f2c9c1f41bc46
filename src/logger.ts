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

/** The parts of a request a log line may hold. */
interface LoggedRequest {
  method: string;
  url: string;
  routeOptions?: { url?: string };
  ip?: string;
}

/**
 * A request in the log: its method, its path without the query string (a query value can be a
 * token sent as `?access_token=` or a name typed into a filter) and the route it matched. Ids in
 * the path are random UUIDs, no personal data.
 */
export function requestForLog(request: LoggedRequest): Record<string, string> {
  const query = request.url.indexOf('?');
  return {
    method: request.method,
    path: query < 0 ? request.url : request.url.slice(0, query),
    ...(request.routeOptions?.url ? { route: request.routeOptions.url } : {}),
    ...(request.ip ? { remoteAddress: request.ip } : {}),
  };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: requestForLog },
  };
}
