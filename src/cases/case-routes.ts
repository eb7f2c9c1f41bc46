/** The case routes: each handler hands the request to the engine or the queries and shapes the reply. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CaseSubmissionSchema, ReferralEventSchema } from '../../machines/referral.schemas.ts';
import { API_BASE } from '../config.ts';
import { AppError } from '../errors.ts';
import { actorOf } from '../http/auth.ts';
import { problems } from '../http/problem-contract.ts';
import {
  CasePageSchema, CaseParamsSchema, CaseViewSchema, ListQuerySchema, NotesPageSchema, NotesQuerySchema,
} from './case-contract.ts';
import type { AccessLog, CaseEngine as Engine } from '../store/port.ts';
import type { CaseQueries as Queries } from './case-queries.ts';
import type { CaseView } from './case-view.ts';
import { idempotencyKeyOf } from './idempotency.ts';

export interface CaseRouteOptions {
  engine: Engine;
  queries: Queries;
  access: AccessLog;
}

/**
 * Roles that never read a case: the admin manages tokens, the municipality reads suppressed
 * figures, a provider reports its offers' waiting times (§6.4).
 */
const NO_CASES: ReadonlySet<string> = new Set(['admin', 'municipality', 'provider']);

/**
 * An admin manages tokens and a municipality reads suppressed figures: neither reads case
 * content. An onRequest hook, so it answers before any query-string validation (403 before 400).
 */
export async function refuseAdmins(request: FastifyRequest): Promise<void> {
  const { role } = actorOf(request);
  if (NO_CASES.has(role)) throw new AppError('FORBIDDEN', `a ${role} does not read cases`);
}

const withEtag = (reply: FastifyReply, view: CaseView) => reply.header('ETag', `"${view.version}"`);

export const caseRoutes: FastifyPluginAsyncZod<CaseRouteOptions> = async (app, { engine, queries, access }) => {
  app.addHook('onRequest', refuseAdmins);

  app.post('/cases', {
    schema: {
      operationId: 'submitCase',
      summary: 'Submit a case (aanmelding)',
      description: 'A local team (or the expert team on behalf of a parent or youth) submits a stuck case. ' +
        'Consent follows the age at submission; without it a legal ground must be recorded (422 CONSENT_REQUIRED).',
      tags: ['cases'],
      body: CaseSubmissionSchema,
      response: { 201: CaseViewSchema, ...problems(400, 401, 403, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const view = await engine.submit(actorOf(request), request.body, idempotencyKeyOf(request.headers['idempotency-key']));
    return withEtag(reply, view).code(201).header('Location', `${API_BASE}/cases/${view.id}`).send(view);
  });

  app.get('/cases', {
    config: { access: 'case.list' },
    schema: {
      operationId: 'listCases',
      summary: 'List the cases the caller may see, newest first',
      description: 'A page of case summaries; pass nextCursor as cursor for the next page.',
      tags: ['cases'],
      querystring: ListQuerySchema,
      response: { 200: CasePageSchema, ...problems(400, 401, 403) },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const page = await queries.list(actor, request.query);
    await access.record(request, actor, 'case.list', page.items.map((c) => c.id));
    return page;
  });

  app.get('/cases/:id', {
    config: { access: 'case.read' },
    schema: {
      operationId: 'getCase',
      summary: 'Read one case',
      description: 'The case view: lifecycle state, version (also the ETag), the events this caller may send now, deadlines and data.',
      tags: ['cases'],
      params: CaseParamsSchema,
      response: { 200: CaseViewSchema, ...problems(400, 401, 403, 404, 410) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const view = await queries.get(actor, request.params.id);
    await access.record(request, actor, 'case.read', [view.id]);
    return withEtag(reply, view).send(view);
  });

  app.get('/cases/:id/notes', {
    config: { access: 'case.read' },
    schema: {
      operationId: 'listCaseNotes',
      summary: "Page through a case's notes, newest first",
      description: 'The case view carries the latest 50 notes and notesTotal; this pages through all of them. ' +
        'Whoever may read the case may read its notes.',
      tags: ['cases'],
      params: CaseParamsSchema,
      querystring: NotesQuerySchema,
      response: { 200: NotesPageSchema, ...problems(400, 401, 403, 404, 410) },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const page = await queries.notes(actor, request.params.id, request.query);
    await access.record(request, actor, 'case.read', [request.params.id]);
    return page;
  });

  app.post('/cases/:id/events', {
    schema: {
      operationId: 'sendCaseEvent',
      summary: 'Send an event to a case',
      description: 'Advances the case through the referral statechart. With If-Match the event is applied only on that version. ' +
        'Checks run in this order: 401, 404, 403, 400, 412, 409, 422.',
      tags: ['cases'],
      params: CaseParamsSchema,
      body: ReferralEventSchema,
      response: { 200: CaseViewSchema, ...problems(400, 401, 403, 404, 409, 410, 412, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const view = await engine.applyEvent(actorOf(request), {
      caseId: request.params.id,
      body: request.body,
      ifMatch: request.headers['if-match'],
      idempotencyKey: idempotencyKeyOf(request.headers['idempotency-key']),
    });
    // Returned, not sent: an async handler that returns the reply (a thenable) has Fastify watch
    // the response to its end (Reply.then, end-of-stream), about 2% of the event loop's CPU per
    // event in a profile of the server under the bench's load (bench/cpu.ts).
    withEtag(reply, view);
    return view;
  });
};
