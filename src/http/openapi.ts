/**
 * The OpenAPI 3 document, generated from the routes' zod schemas, and finished for the NL GOV API
 * Design Rules: every 2xx/3xx response declares the API-Version header, and every error response
 * is application/problem+json.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { API_BASE, API_VERSION } from '../config.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STATUS_TEXT: Record<string, string> = {
  200: 'OK', 201: 'Created', 400: 'Bad request: VALIDATION_FAILED or PURPOSE_REQUIRED',
  401: 'Unauthenticated', 403: 'Forbidden for this role', 404: 'Not found, or not visible to the caller',
  409: 'EVENT_NOT_ALLOWED in the current state', 412: 'VERSION_MISMATCH with If-Match',
  413: 'Body over 1 MiB', 415: 'Body is not application/json',
  422: 'A rule of the IGJ (CONSENT_REQUIRED, PARTICIPATION_REASON_REQUIRED, FIT_RATIONALE_REQUIRED, FUNDER_REQUIRED)',
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
      ],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        headers: {
          'API-Version': {
            description: 'The full semantic version of the API',
            schema: { type: 'string', example: API_VERSION },
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => finishDocument(jsonSchemaTransformObject(input) as Json),
  });
}

export function finishDocument(doc: Json): Json {
  for (const pathItem of Object.values<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(pathItem)) {
      for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
        finishResponse(status, response);
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
