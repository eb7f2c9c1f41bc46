/**
 * A case's trail: GET /cases/{id}/trail (JSON as DESIGN §3, or a printable Dutch HTML page with
 * Accept: text/html) and GET /cases/{id}/trail/export (the self-contained, verifiable file).
 * For the expert team of the case's region and inspectors; every read is access-logged.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CaseParamsSchema, TrailSchema } from '../cases/case-contract.ts';
import { refuseAdmins } from '../cases/case-routes.ts';
import type { Clock } from '../clock.ts';
import { actorOf } from '../http/auth.ts';
import { problems } from '../http/problem-contract.ts';
import type { AccessLog, AuditReader } from '../store/port.ts';
import type { CaseQueries as Queries } from '../cases/case-queries.ts';
import { trailExport, TrailExportSchema } from './trail-export.ts';
import { negotiate } from '../http/negotiate.ts';
import { pagePolicy } from '../http/html.ts';
import { TRAIL_STYLE, trailHtml } from './trail-html.ts';

export interface TrailRouteOptions {
  queries: Queries;
  audit: AuditReader;
  access: AccessLog;
  clock: Clock;
}

/** The one negotiator the report uses too; JSON when the client accepts neither. */
const wantsHtml = (accept: string | undefined): boolean =>
  negotiate(accept, ['application/json', 'text/html'] as const) === 'text/html';

export const trailRoutes: FastifyPluginAsyncZod<TrailRouteOptions> = async (app, options) => {
  const { queries, audit, access, clock } = options;
  app.addHook('onRequest', refuseAdmins);

  app.get('/cases/:id/trail', {
    config: { access: 'trail.read' },
    schema: {
      operationId: 'getCaseTrail',
      summary: "A case's trail: every stored event in order",
      description: 'For the expert team of the region and inspectors. The first entry is the submission ' +
        'itself (SUBMIT). With Accept: text/html, a printable timeline in Dutch.',
      tags: ['cases'],
      params: CaseParamsSchema,
      response: {
        200: {
          description: 'The trail',
          content: {
            'application/json': { schema: TrailSchema },
            'text/html': { schema: z.string().describe('Printable timeline (Dutch)') },
          },
        },
        ...problems(400, 401, 403, 404, 410),
      },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    // One URL, two representations: a cache must key them by Accept.
    reply.header('Vary', 'Accept');
    if (wantsHtml(request.headers.accept)) {
      const row = await queries.trailCase(actor, request.params.id);
      await access.record(request, actor, 'trail.read', [row.id]);
      return reply.type('text/html; charset=utf-8').header('Content-Security-Policy', pagePolicy(TRAIL_STYLE))
        .send(trailHtml(row.id, await audit.ofCase(row.id), clock.now()));
    }
    const trail = await queries.trail(actor, request.params.id);
    await access.record(request, actor, 'trail.read', [trail.caseId]);
    return reply.type('application/json; charset=utf-8').send(trail);
  });

  app.get('/cases/:id/trail/export', {
    config: { access: 'trail.export' },
    schema: {
      operationId: 'exportCaseTrail',
      summary: "A case's audit trail as a self-contained, verifiable file",
      description: 'Every audit entry of the case with the hashes that chain them. ' +
        'scripts/verify-trail-export.ts checks such a file without the database.',
      tags: ['cases'],
      params: CaseParamsSchema,
      response: { 200: TrailExportSchema, ...problems(400, 401, 403, 404, 410) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const row = await queries.trailCase(actor, request.params.id);
    await access.record(request, actor, 'trail.export', [row.id]);
    const file = trailExport(row.id, await audit.ofCase(row.id), clock.now().toISOString(),
      { role: actor.role, organisation: actor.organisation, name: actor.name });
    return reply
      .header('Content-Disposition', `attachment; filename="trail-${row.id}.json"`)
      .send(file);
  });
};
