/** GET /reports/signalering: the signalering report as JSON, CSV or a printable HTML page. */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AccessLog } from '../store/port.ts';
import { actorOf } from '../http/auth.ts';
import { pagePolicy } from '../http/html.ts';
import { reportFormatOf, reportResponses, type ReportFormat } from './report-formats.ts';
import { reportScope, type SignaleringService } from './signalering.ts';
import {
  SignaleringQuerySchema, SignaleringReportSchema, type SignaleringReport,
} from './signalering-contract.ts';
import { signaleringCsv } from './signalering-csv.ts';
import { SIGNALERING_STYLE, signaleringHtml } from './signalering-html.ts';

const DESCRIPTION = 'Regional figures of a period (signalering): submissions, decisions, open cases, ' +
  'lead times, participation of youth and parents, advice and thuiszitters. For the expert team (its ' +
  'own region) and inspectors (their region; a national inspector all regions or one named in `region`), ' +
  'and for a municipality (role `municipality`, §6.4): the cases of its own municipality in its region only ' +
  '(`municipality` in the answer), always as published, `publication=true` or not. ' +
  'The period runs from the start of `from` to the end of `to`, both included, as calendar days in ' +
  'Europe/Amsterdam, and covers whole months: `from` the first day of a month, `to` the last day of one ' +
  '(else 400 PERIOD_NOT_WHOLE_MONTHS), so that overlapping periods cannot single out a few cases; a figure belongs to the period in which its event happened, and open cases are ' +
  'counted as at the end of the period. By default the counts are exact: the expert team and inspectors see their ' +
  'scope as it is (§6.2). With `publication=true` (the figures to publish) every count below 5 in a breakdown is suppressed (`count: null, ' +
  'suppressed: true`; `<5` in CSV), with complementary suppression so that no suppressed count can be ' +
  'worked back from the total and the other cells; totals are exact. Lead times and shares that rest on ' +
  'fewer than 5 cases are suppressed too. Percentiles are nearest-rank. Answers JSON, CSV (Accept: ' +
  'text/csv, RFC 4180: section,figure,category,value) or a printable HTML page in Dutch (Accept: text/html).';

export interface SignaleringRouteOptions {
  signalering: SignaleringService;
  access: AccessLog;
}

export const signaleringRoutes: FastifyPluginAsyncZod<SignaleringRouteOptions> = async (app, { signalering: service, access }) => {
  // 403 and 406 before the query is validated (400), as on every route (DESIGN §3).
  app.addHook('preValidation', async (request) => {
    const region = (request.query as { region?: unknown }).region;
    reportScope(actorOf(request), typeof region === 'string' ? region : undefined);
    reportFormatOf(request);
  });

  app.get('/reports/signalering', {
    config: { access: 'report.read' },
    schema: {
      operationId: 'getSignaleringReport',
      summary: 'The signalering report of a period',
      description: DESCRIPTION,
      tags: ['reports'],
      querystring: SignaleringQuerySchema,
      response: reportResponses(SignaleringReportSchema, 'A printable page in Dutch with SVG charts'),
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const report = await service.report(actor, request.query);
    // Aggregates only, no case is shown; the read is logged all the same (NEN 7513).
    await access.record(request, actor, 'report.read', []);
    // Never the `region` as sent: a query value is the client's text.
    request.log.info({ from: report.period.from, to: report.period.to, allRegions: report.region === '*' },
      'signalering report');
    return send(reply.header('Vary', 'Accept').header('Cache-Control', 'private, no-store'),
      reportFormatOf(request), report);
  });
};

function send(reply: FastifyReply, format: ReportFormat, report: SignaleringReport): FastifyReply {
  switch (format) {
    case 'text/csv':
      return reply.type('text/csv; charset=utf-8; header=present')
        .header('Content-Disposition', `attachment; filename="signalering-${report.period.from}-${report.period.to}.csv"`)
        .send(signaleringCsv(report));
    case 'text/html':
      return reply.type('text/html; charset=utf-8').header('Content-Security-Policy', pagePolicy(SIGNALERING_STYLE))
        .send(signaleringHtml(report));
    default:
      return reply.type('application/json; charset=utf-8').send(report);
  }
}
