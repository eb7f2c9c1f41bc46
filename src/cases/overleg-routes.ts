/**
 * GET /cases/{id}/overleg.ics: the planned overleg as a calendar entry (DESIGN §6.3). Whoever may
 * read the case may take it; the read is access-logged as a case read, a refused one too.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { actorOf } from '../http/auth.ts';
import { problems } from '../http/problem-contract.ts';
import type { AccessLog } from '../store/port.ts';
import { CaseParamsSchema } from './case-contract.ts';
import type { CaseQueries as Queries } from './case-queries.ts';
import { refuseAdmins } from './case-routes.ts';
import { OVERLEG_MINUTES, overlegIcs, overlegIcsName } from './overleg-ics.ts';

export interface OverlegRouteOptions {
  queries: Queries;
  access: AccessLog;
  /** The console's address (PUBLIC_URL), for the link to the case page in the entry. */
  consoleBase: string;
}

export const ICS_TYPE = 'text/calendar; charset=utf-8';

export const overlegRoutes: FastifyPluginAsyncZod<OverlegRouteOptions> = async (app, { queries, access, consoleBase }) => {
  app.addHook('onRequest', refuseAdmins);

  app.get('/cases/:id/overleg.ics', {
    config: { access: 'case.read' },
    schema: {
      operationId: 'getCaseOverlegIcs',
      summary: "The case's planned overleg as a calendar entry (iCalendar)",
      description: 'One VEVENT (RFC 5545): the start (DTSTART, in UTC), an end ' + OVERLEG_MINUTES + ' minutes later, ' +
        'a UID that stays the same for this case and schedule, the summary "Overleg expertteam, casus <reference>" ' +
        'and a link to the case in the console. Nothing else of the file: no names, question, participants or agenda. ' +
        'For whoever may read the case; logged as a case read. 404 when no overleg is planned (none scheduled yet, ' +
        'held already, or the case closed).',
      tags: ['cases'],
      params: CaseParamsSchema,
      response: {
        200: {
          description: 'The calendar entry',
          content: { 'text/calendar': { schema: z.string().describe('An iCalendar object (RFC 5545) with one VEVENT') } },
        },
        ...problems(400, 401, 403, 404, 410),
      },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const view = await queries.get(actor, request.params.id);
    const ics = overlegIcs(view.id, view.data, consoleBase);
    // Nothing shown: the 404 is logged as a refused read, as any 404 of a case route is.
    if (ics === null) throw new AppError('NOT_FOUND', 'no overleg is planned for this case');
    await access.record(request, actor, 'case.read', [view.id]);
    return reply.type(ICS_TYPE)
      .header('Content-Disposition', `attachment; filename="${overlegIcsName(view.id)}"`)
      .send(ics);
  });
};
