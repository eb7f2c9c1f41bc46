/**
 * The errors the service answers with, each with its stable code (DESIGN §3). Services throw
 * them; one error handler (src/http/problem.ts) turns them into application/problem+json.
 */

export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  PURPOSE_REQUIRED: 400,
  PERIOD_NOT_WHOLE_MONTHS: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  EVENT_NOT_ALLOWED: 409,
  VERSION_MISMATCH: 412,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  HEADERS_TOO_LARGE: 431,
  NOT_ACCEPTABLE: 406,
  CONSENT_REQUIRED: 422,
  PARTICIPATION_REASON_REQUIRED: 422,
  FIT_RATIONALE_REQUIRED: 422,
  FUNDER_REQUIRED: 422,
  AGE_OUT_OF_RANGE: 422,
  UNKNOWN_MUNICIPALITY: 422,
  MUNICIPALITY_NOT_IN_REGION: 422,
  DATE_ORDER: 422,
  UNKNOWN_HELP_ITEM: 422,
  REASON_REQUIRED: 422,
  HELP_ITEM_STATUS_ORDER: 422,
  HELP_NOT_STARTED: 422,
  FOLLOW_UP_REQUIRED: 422,
  ESCALATION_OPEN: 422,
  COMMITMENT_OPEN: 422,
  UNKNOWN_COMMITMENT: 422,
  COMMITMENT_SETTLED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNKNOWN_OFFER: 422,
  WAITING_TIME_UNKNOWN: 422,
  UNKNOWN_PERSON: 422,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is not valid',
  PURPOSE_REQUIRED: 'An inspector must state the purpose of the request',
  PERIOD_NOT_WHOLE_MONTHS: 'A report covers whole calendar months: from the first day of one to the last day of one',
  UNAUTHENTICATED: 'A valid bearer token is required',
  FORBIDDEN: 'This role may not do this',
  NOT_FOUND: 'Not found',
  EVENT_NOT_ALLOWED: 'This event is not allowed in the current state',
  VERSION_MISMATCH: 'The case has another version than If-Match names',
  GONE: 'The file\'s content was destroyed at the end of its retention period, or as the law required',
  PAYLOAD_TOO_LARGE: 'The request body is larger than 1 MiB',
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json',
  TOO_MANY_REQUESTS: 'Too many requests',
  HEADERS_TOO_LARGE: 'The request\'s header block is larger than 16 KiB',
  NOT_ACCEPTABLE: 'The requested media type cannot be served',
  CONSENT_REQUIRED: 'Consent or a legal ground is required',
  PARTICIPATION_REASON_REQUIRED: 'Youth and parents take part, or a reason is recorded why not',
  FIT_RATIONALE_REQUIRED: 'Every help item needs a rationale why it fits the question',
  FUNDER_REQUIRED: 'A custom arrangement needs financing that names a funder',
  AGE_OUT_OF_RANGE: 'The youth\'s possible ages are outside 0 to 22, or 18 or over without extended care',
  UNKNOWN_MUNICIPALITY: 'Not a municipality in force on that day (CBS list)',
  MUNICIPALITY_NOT_IN_REGION: 'The municipality is not one of this region\'s',
  DATE_ORDER: 'A date is out of order',
  UNKNOWN_HELP_ITEM: 'The case\'s current advice has no help item with this id',
  REASON_REQUIRED: 'A reason, question, advice or explanation must explain: at least 10 characters, letters among them',
  HELP_ITEM_STATUS_ORDER: 'This status does not follow from the help item\'s current status',
  HELP_NOT_STARTED: 'The case can close with help in place only when every help item has started',
  FOLLOW_UP_REQUIRED: 'Report progress or a help item\'s status after the advice before closing',
  ESCALATION_OPEN: 'The escalation is still open: record its outcome, or withdraw it with a reason (escalationWithdrawn)',
  COMMITMENT_OPEN: 'A commitment is still open: settle it with UPDATE_COMMITMENT first',
  UNKNOWN_COMMITMENT: 'The case has no commitment with this id',
  COMMITMENT_SETTLED: 'This commitment is settled already',
  IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was used for another request',
  UNKNOWN_OFFER: 'The region\'s offers register has no offer with this id',
  WAITING_TIME_UNKNOWN: 'The offer has no waiting time in the register yet: give waitingWeeks',
  UNKNOWN_PERSON: 'A regisseur must be an active person of the expert team of the case\'s region',
  INTERNAL_ERROR: 'Internal error',
};

/** One thing a request got wrong: the field (a path in the body, or a header) and what is wrong with it. */
export interface InvalidParam {
  name: string;
  reason: string;
}

/** Extension members of a problem body beyond RFC 9457's own (as http/problem-contract.ts publishes them). */
export interface ProblemExtensions {
  invalidParams?: InvalidParam[];
  state?: string;
  allowedEvents?: readonly string[];
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extensions: ProblemExtensions = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}
