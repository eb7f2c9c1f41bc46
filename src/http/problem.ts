/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable `code`. 4xx answers
 * say what was wrong without echoing the input (it may hold personal data); 5xx answers say
 * nothing beyond the request id, and the error goes to the log.
 */
import { negotiate } from './negotiate.ts';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { API_VERSION } from '../config.ts';
import { AppError, ERROR_STATUS, ERROR_TITLES, type ErrorCode, type ProblemExtensions } from '../errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: ErrorCode): string {
  return `urn:passend:problem:${code}`;
}

export function sendProblem(
  request: FastifyRequest, reply: FastifyReply, status: number, code: ErrorCode, detail: string,
  extensions: ProblemExtensions = {},
): FastifyReply {
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: problemType(code),
      title: ERROR_TITLES[code],
      status,
      detail,
      instance: request.url.split('?')[0],
      code,
      ...extensions,
    });
}

/** Fastify's own 4xx errors, mapped onto the codes of DESIGN §3. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
};

export function registerProblemHandlers(app: FastifyInstance, notFoundPage?: () => string): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    // An unknown route stays a 404, whatever its body or content type.
    if (request.is404) return sendProblem(request, reply, 404, 'NOT_FOUND', 'no such resource');
    if (error instanceof AppError) {
      request.log.info({ code: error.code, status: error.status }, 'request refused');
      return sendProblem(request, reply, error.status, error.code, error.detail, error.extensions);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const invalidParams = error.validation.map((v) => ({
        name: `${v.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)'}`,
        reason: v.message ?? 'invalid',
      }));
      return sendProblem(request, reply, 400, 'VALIDATION_FAILED',
        `the ${error.validationContext ?? 'request'} is not valid`, { invalidParams });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = FASTIFY_CODES[error.code] ?? (status === 415 ? 'UNSUPPORTED_MEDIA_TYPE'
        : status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 404 ? 'NOT_FOUND'
          : status === 403 ? 'FORBIDDEN' : 'VALIDATION_FAILED');
      request.log.info({ code, fastifyCode: error.code, status }, 'request refused');
      return sendProblem(request, reply, ERROR_STATUS[code], code, ERROR_TITLES[code]);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, 500, 'INTERNAL_ERROR',
      `the request failed; quote request id ${request.id} when reporting it`);
  });

  app.setNotFoundHandler((request, reply) => {
    // A person's browser outside the API gets the console's page; every client of the API problem+json.
    if (notFoundPage && !request.url.startsWith('/api/') &&
      negotiate(request.headers.accept, ['application/problem+json', 'text/html'] as const) === 'text/html') {
      return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage());
    }
    return sendProblem(request, reply, 404, 'NOT_FOUND', 'no such resource');
  });
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (an unknown method, a header block
 * over 16 KiB, a broken request line) answered as problem+json too, not Node's bare text.
 */
export function clientErrorProblem(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, detail]: [number, ErrorCode, string] = error.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'HEADERS_TOO_LARGE', 'the header block may be at most 16 KiB']
    : [400, 'VALIDATION_FAILED', 'the request is not valid HTTP/1.1 (its method, request line or headers)'];
  writeRawProblem(socket, status, code, detail);
}

/**
 * CONNECT asks for a tunnel, which Node hands to a 'connect' listener only: without one it closed
 * the connection unanswered. The service serves no tunnels: a 400 problem, as for any
 * method it does not know.
 */
export function connectProblem(_request: unknown, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  writeRawProblem(socket, 400, 'VALIDATION_FAILED', 'the method CONNECT is not served');
}

function writeRawProblem(socket: Duplex, status: number, code: ErrorCode, detail: string): void {
  const body = JSON.stringify({ type: problemType(code), title: ERROR_TITLES[code], status, detail, instance: '/', code });
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `API-Version: ${API_VERSION}\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n` +
    `Connection: close\r\n\r\n${body}`);
}
