/** GET /reports/supply: the supply report (§6.4) as JSON, CSV or a printable HTML page with a chart. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AccessLog } from '../store/port.ts';
import { actorOf } from '../http/auth.ts';
import { pagePolicy } from '../http/html.ts';
import { reportCsv } from './signalering-csv.ts';
import { SIGNALERING_STYLE } from './signalering-html.ts';
import { reportFormatOf, reportResponses } from './report-formats.ts';
import { supplyHtml } from './supply-html.ts';
import { municipalityScope, readsSuppressed } from './municipality-scope.ts';
import { supplyScope, SupplyQuerySchema, SupplyReportSchema, type SupplyService } from './supply.ts';

const DESCRIPTION = 'The region\'s supply and waiting times of a period (§6.4): per kind of help the items advised, ' +
  'the median and 90th percentile (nearest rank) of their waiting weeks at the advice and of their offers\' waiting ' +
  'weeks in the register today, the items not started for lack of capacity (UPDATE_HELP_ITEM notStartedBecause ' +
  'capacity) and those advised with a waiting time above the region\'s norm (region set --waiting-norm); custom ' +
  'arrangements (maatwerk) by kind and by municipality. Whole months: `from` and `to` as YYYY-MM (or the first and ' +
  'last day of a month; else 400 PERIOD_NOT_WHOLE_MONTHS). Exact for the region\'s expert team and inspectors; ' +
  '`publication=true` suppresses counts below 5 as the signalering does; a municipality gets its own ' +
  'municipality\'s figures, always suppressed. JSON, CSV (Accept: text/csv; ' +
  'section,figure,category,value) or a printable HTML page in Dutch with a chart (Accept: text/html).';

export const supplyRoutes: FastifyPluginAsyncZod<{ supply: SupplyService; access: AccessLog }> = async (app, { supply, access }) => {
  app.get('/reports/supply', {
    config: { access: 'report.read' },
    // 403 and 406 before the query is validated (400).
    preValidation: async (request) => {
      const region = (request.query as { region?: unknown }).region;
      const actor = actorOf(request);
      if (readsSuppressed(actor)) municipalityScope(actor, typeof region === 'string' ? region : undefined);
      else {
        if (actor.role !== 'expert_team' && actor.role !== 'inspector') supplyScope(actor, undefined);
        if (actor.region !== '*' && typeof region === 'string') supplyScope(actor, region);
      }
      reportFormatOf(request);
    },
    schema: {
      operationId: 'getSupplyReport',
      summary: 'The supply report of a period: waiting times and custom arrangements per kind of help',
      description: DESCRIPTION,
      tags: ['reports'],
      querystring: SupplyQuerySchema,
      response: reportResponses(SupplyReportSchema, 'A printable page in Dutch with an SVG chart'),
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const report = await supply.report(actor, request.query);
    await access.record(request, actor, 'report.read', []);
    reply.header('Vary', 'Accept').header('Cache-Control', 'private, no-store');
    switch (reportFormatOf(request)) {
      case 'text/csv':
        return reply.type('text/csv; charset=utf-8; header=present')
          .header('Content-Disposition', `attachment; filename="aanbod-${report.period.from}-${report.period.to}.csv"`)
          .send(reportCsv(report));
      case 'text/html':
        return reply.type('text/html; charset=utf-8').header('Content-Security-Policy', pagePolicy(SIGNALERING_STYLE))
          .send(supplyHtml(report));
      default:
        return reply.type('application/json; charset=utf-8').send(report);
    }
  });
};
