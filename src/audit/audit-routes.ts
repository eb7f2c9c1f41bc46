/**
 * For inspectors and admins: GET /audit/verify (does the audit trail still verify?) and
 * GET /access-log (the NEN 7513 access log; reading it is logged too).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { actorOf } from '../http/auth.ts';
import { problems } from '../http/problem-contract.ts';
import { VerifySchema } from './audit-contract.ts';
import type { AccessLog, AuditReader, AuditVerifier } from '../store/port.ts';
import { ACCESS_ACTIONS } from './access-log.ts';

const AccessLogPageSchema = z.object({
  items: z.array(z.object({
    seq: z.int(), at: z.iso.datetime(), requestId: z.string(), action: z.enum(ACCESS_ACTIONS),
    route: z.string(),
    actor: z.object({ role: z.string(), organisation: z.string(), name: z.string(), clientId: z.string(), region: z.string() }),
    purpose: z.string().nullable(), caseIds: z.array(z.string()), outcome: z.enum(['shown', 'refused']),
  })),
  nextCursor: z.string().nullable(),
}).meta({ id: 'AccessLogPage' });

/** Stored times are UTC with milliseconds; the filter compares like with like. */
const instant = () => z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());

const AccessLogQuerySchema = z.object({
  from: instant().optional().describe('From this instant (inclusive)'),
  to: instant().optional().describe('Up to this instant (exclusive)'),
  caseId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d{1,15}$/).optional().describe('nextCursor of the previous page'),
});

const READERS = new Set(['inspector', 'admin']);

const VerifyQuerySchema = z.object({
  full: z.enum(['true', 'false']).optional()
    .describe('true (the default): check every entry from the first; false: only the entries since the last ' +
      'verification, after checking that its last entry still carries the same log hash (quick, but an entry ' +
      'changed in place before it is found only by a full check)'),
});

export interface AuditRouteOptions {
  audit: AuditReader;
  access: AccessLog;
  /** Verifies off the event loop and tells GET /health every result. */
  verifier: AuditVerifier;
}

export const auditRoutes: FastifyPluginAsyncZod<AuditRouteOptions> =
  async (app, { audit, access, verifier }) => {
    app.addHook('onRequest', async (request) => {
      const { role } = actorOf(request);
      if (!READERS.has(role)) throw new AppError('FORBIDDEN', `a ${role} does not read the audit`);
    });

    app.get('/audit/verify', {
      config: { access: 'audit.verify' },
      schema: {
        operationId: 'verifyAudit',
        summary: 'Verify the whole audit trail',
        description: 'Recomputes the hashes of both chains (per case and across the log) and reports the first entry ' +
          'that does not verify, in its own thread, so the service goes on serving. full=false continues from the ' +
          'last verification instead. A regional inspector or admin is shown the count and a head of its own region\'s cases.',
        tags: ['audit'],
        querystring: VerifyQuerySchema,
        response: { 200: VerifySchema, ...problems(400, 401, 403) },
      },
    }, async (request) => {
      const actor = actorOf(request);
      const result = await verifier.verify(request.query.full !== 'false');
      await access.record(request, actor, 'audit.verify', []);
      // The whole log is verified for everyone (integrity is not regional); a regional reader is
      // shown its own region's count and head.
      return actor.region === '*'
        ? { ...result, scope: '*' }
        : { ...result, ...(await audit.regionView(actor.region, result)), scope: actor.region };
    });

    app.get('/access-log', {
      config: { access: 'access_log.read' },
      schema: {
        operationId: 'listAccessLog',
        summary: 'The NEN 7513 access log, newest first',
        description: 'Who read which case data, when and for what purpose. A regional reader sees its region; ' +
          'reading this log is itself logged.',
        tags: ['audit'],
        querystring: AccessLogQuerySchema,
        response: { 200: AccessLogPageSchema, ...problems(400, 401, 403) },
      },
    }, async (request) => {
      const actor = actorOf(request);
      const { cursor, limit, ...filter } = request.query;
      // A regional reader filters only on its own region's cases: another id finds nothing, so
      // that the filter cannot tell whether a case exists elsewhere.
      if (filter.caseId && actor.region !== '*' && !(await access.ofRegion(actor.region, [filter.caseId])).has(filter.caseId)) {
        await access.record(request, actor, 'access_log.read', []);
        return { items: [], nextCursor: null };
      }
      const rows = await access.list(actor.region, {
        ...filter, limit: limit + 1, beforeSeq: cursor === undefined ? undefined : Number(cursor),
      });
      const page = rows.slice(0, limit);
      const named = page.map((r) => JSON.parse(r.caseIds) as string[]);
      // A regional reader sees only the ids of its own region's cases, whoever read them.
      const own = actor.region === '*' ? null : await access.ofRegion(actor.region, [...new Set(named.flat())]);
      const shown = own === null ? named : named.map((ids) => ids.filter((id) => own.has(id)));
      await access.record(request, actor, 'access_log.read', [...new Set(shown.flat())]);
      return {
        items: page.map((r, i) => ({
          seq: r.seq, at: r.at, requestId: r.requestId, action: r.action as (typeof ACCESS_ACTIONS)[number],
          route: r.route,
          actor: { role: r.actorRole, organisation: r.actorOrganisation, name: r.actorName,
            clientId: r.actorClientId, region: r.actorRegion },
          purpose: r.purpose, caseIds: shown[i] ?? [],
          outcome: r.outcome as 'shown' | 'refused',
        })),
        nextCursor: rows.length > limit ? String(page.at(-1)?.seq) : null,
      };
    });
  };
