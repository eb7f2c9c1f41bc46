/**
 * The OpenAPI 3 document, generated from the routes' zod schemas, and finished for the NL GOV API
 * Design Rules: every 2xx/3xx response declares the API-Version header, and every error response
 * is application/problem+json.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { API_BASE, API_VERSION } from '../config.ts';
import { ERROR_STATUS } from '../errors.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the generated document is JSON of no fixed shape
type Json = Record<string, any>;

const STATUS_TEXT: Record<string, string> = {
  200: 'OK', 201: 'Created', 400: 'Bad request: VALIDATION_FAILED or PURPOSE_REQUIRED',
  401: 'Unauthenticated', 403: 'Forbidden for this role', 404: 'Not found, or not visible to the caller',
  409: 'EVENT_NOT_ALLOWED in the current state', 410: 'GONE: the file\'s content was destroyed (retention or erasure)',
  412: 'VERSION_MISMATCH with If-Match',
  413: 'Body over 1 MiB', 415: 'Body is not application/json',
  422: `A rule of the IGJ or of the law (${Object.entries(ERROR_STATUS)
    .filter(([, status]) => status === 422).map(([code]) => code).join(', ')})`,
  503: 'Service unavailable',
};

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'passend',
        description:
          'Referral engine for the Dutch regional expert teams for youth care (regionale ' +
          'expertteams jeugd): submission, triage, overleg, advice, bridging plan and follow-up.',
        version: API_VERSION,
        contact: {
          name: 'passend maintainers',
          email: 'maintainers@passend.invalid',
          url: 'https://github.com/passend-jeugd/passend',
        },
        license: { name: 'EUPL-1.2', url: 'https://eupl.eu/1.2/nl/' },
      },
      servers: [{ url: API_BASE }],
      tags: [
        { name: 'cases', description: 'Cases (casussen) and their lifecycle' },
        { name: 'machine', description: 'The referral statechart' },
        { name: 'notifications', description: 'Webhook notifications of state changes and passed deadlines' },
        { name: 'audit', description: 'The tamper-evident audit trail and the NEN 7513 access log' },
        { name: 'reports', description: 'Signalering: regional figures, with small counts suppressed' },
        { name: 'public', description: 'Without sign-in: the expert teams by municipality, and published figures' },
        { name: 'offers', description: 'The region\'s offers register (aanbod) and its waiting times' },
      ],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => finishDocument(jsonSchemaTransformObject(input) as Json),
  });
}

/** Operations answering a case view: they send its version as ETag; a new case also its Location. */
const CASE_VIEW_OPERATIONS = new Set(['submitCase', 'getCase', 'sendCaseEvent']);

const HEADERS: Json = {
  'API-Version': {
    description: 'The full semantic version of the API',
    schema: { type: 'string', example: API_VERSION },
  },
  ETag: { description: 'The case version, `"<version>"`: send it back as If-Match', schema: { type: 'string' } },
  Location: { description: 'The new case: /api/v1/cases/{id}', schema: { type: 'string' } },
};

const PARAMETERS: Json = {
  XPurpose: {
    name: 'X-Purpose', in: 'header', required: false,
    description: 'Required of inspectors on every request (1 to 200 characters): the reason for looking, ' +
      'kept in the access log. Without it: 400 PURPOSE_REQUIRED.',
    schema: { type: 'string', minLength: 1, maxLength: 200 },
  },
  IfMatch: {
    name: 'If-Match', in: 'header', required: false,
    description: 'Apply the event only on this version (the ETag, `"<version>"`); otherwise 412 VERSION_MISMATCH.',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key', in: 'header', required: false,
    description: 'A key of the client\'s choosing (1 to 255 printable characters) that makes a retry safe: ' +
      'within 24 hours the same key with the same body gets the first answer again and changes nothing; ' +
      'with another body: 422 IDEMPOTENCY_KEY_REUSED.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  },
};

/** Commands a client may retry safely with an Idempotency-Key (DESIGN §5.6). */
const IDEMPOTENT_OPERATIONS = new Set(['submitCase', 'sendCaseEvent']);

export function finishDocument(doc: Json): Json {
  mergeInputSchemas(doc);
  dropUnusedSchemas(doc);
  // In name order, so that the document does not change with the order modules are imported in.
  const schemas: Json = doc.components?.schemas ?? {};
  doc.components = {
    ...doc.components, headers: HEADERS, parameters: PARAMETERS,
    schemas: Object.fromEntries(Object.keys(schemas).sort().map((name) => [name, schemas[name]])),
  };
  for (const pathItem of Object.values<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(pathItem)) {
      const refs = [{ $ref: '#/components/parameters/XPurpose' }];
      if (operation.operationId === 'sendCaseEvent') refs.push({ $ref: '#/components/parameters/IfMatch' });
      if (IDEMPOTENT_OPERATIONS.has(operation.operationId)) refs.push({ $ref: '#/components/parameters/IdempotencyKey' });
      operation.parameters = [...(operation.parameters ?? []), ...refs];
      for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
        finishResponse(status, response);
        if (/^2/.test(status) && CASE_VIEW_OPERATIONS.has(operation.operationId)) {
          response.headers.ETag = { $ref: '#/components/headers/ETag' };
          if (status === '201') response.headers.Location = { $ref: '#/components/headers/Location' };
        }
      }
    }
  }
  return doc;
}

function finishResponse(status: string, response: Json): void {
  if (!response.description || response.description === 'Default Response') {
    response.description = STATUS_TEXT[status] ?? 'Response';
  }
  if (/^[23]\d\d$/.test(status)) {
    response.headers = { ...response.headers, 'API-Version': { $ref: '#/components/headers/API-Version' } };
  }
  if (/^[45]\d\d$/.test(status) && response.content?.['application/json']) {
    response.content = { [PROBLEM_CONTENT_TYPE]: response.content['application/json'] };
  }
}

const REF = '#/components/schemas/';

/**
 * The zod provider emits an `XInput` twin of every component used in a request. Where the twin
 * is the same schema (most are: few of ours transform), point its references at `X` and drop it.
 */
function mergeInputSchemas(doc: Json): void {
  const schemas: Json = doc.components?.schemas ?? {};
  const twins = Object.keys(schemas).filter((n) => n.endsWith('Input') && schemas[n.slice(0, -5)]);
  const unInput = (text: string) =>
    text.replace(/#\/components\/schemas\/(\w+?)Input"/g, (ref, base: string) =>
      (schemas[base] ? `${REF}${base}"` : ref));
  const same = twins.filter((n) =>
    unInput(JSON.stringify(schemas[n])) === unInput(JSON.stringify(schemas[n.slice(0, -5)])));
  let text = JSON.stringify(doc);
  for (const name of same) text = text.replaceAll(`"${REF}${name}"`, `"${REF}${name.slice(0, -5)}"`);
  const merged = JSON.parse(text) as Json;
  for (const name of same) delete merged.components.schemas[name];
  Object.assign(doc, merged);
}

/** Components that no path reaches (directly or through other components) are left out. */
function dropUnusedSchemas(doc: Json): void {
  const schemas: Json = doc.components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    const text = JSON.stringify(node);
    for (const [, name] of text.matchAll(/#\/components\/schemas\/(\w+)/g)) {
      if (name && !used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      }
    }
  };
  visit(doc.paths);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}
