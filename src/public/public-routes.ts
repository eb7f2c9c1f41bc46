/**
 * The public API (DESIGN §6.4, findable), without sign-in: every municipality in force with its
 * region's expert team and how to reach it, one municipality by CBS code, and a region's published
 * figures of a past quarter. Nothing here names a case or a person: the teams' own contact details
 * and suppressed figures only. Each address may make RATE_LIMIT_PER_CLIENT requests a minute; the
 * answers may be cached a short while (Cache-Control: public, max-age=300).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MUNICIPALITY_SOURCE } from '../../machines/referral.municipalities.ts';
import type { Clock } from '../clock.ts';
import { API_BASE } from '../config.ts';
import { AppError } from '../errors.ts';
import { negotiate } from '../http/negotiate.ts';
import { ProblemSchema, problems } from '../http/problem-contract.ts';
import { amsterdamDate } from '../reports/period.ts';
import { signaleringCsv } from '../reports/signalering-csv.ts';
import { SignaleringReportSchema, type SignaleringReport } from '../reports/signalering-contract.ts';
import type { SignaleringService } from '../reports/signalering.ts';
import type { Regions } from '../store/port.ts';
import { expertTeamOf, expertTeams } from './expertteams.ts';
import { quarterEnded, quarterOf, SUPPRESSION_NOTE } from './publications.ts';

/** How long a public answer may be cached (seconds). */
export const PUBLIC_MAX_AGE = 300;
export const PUBLIC_CACHE = `public, max-age=${PUBLIC_MAX_AGE}`;

export const REGION_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const TeamSchema = z.object({
  region: z.string().describe('The region whose expert team this is'),
  name: z.string().nullable().describe('The team\'s name (`region set --name`)'),
  phone: z.string().nullable().describe('The team\'s phone number (`region set --phone`)'),
  email: z.string().nullable().describe('The team\'s e-mail address (`region set --email`)'),
  howToRefer: z.string().nullable().describe('How to refer a child to the team (`region set --how-to-refer`)'),
}).meta({ id: 'PublicExpertTeam' });

const MunicipalityTeamSchema = z.object({
  code: z.string().describe('CBS municipality code, GM + 4 digits'),
  name: z.string().describe('The municipality\'s name as CBS writes it'),
  team: TeamSchema.nullable().describe('The expert team of the region that lists the municipality; null when no region does'),
}).meta({ id: 'MunicipalityExpertTeam' });

const SourceSchema = z.object({
  url: z.string().describe('The CBS list the municipalities are taken from'),
  inForceOn: z.iso.date().describe('The day CBS\'s list describes'),
  retrieved: z.iso.date().describe('The day the list was taken into passend'),
}).meta({ id: 'MunicipalityListSource' });

const ExpertTeamListSchema = z.object({
  asOf: z.iso.date().describe('The day (Europe/Amsterdam) whose municipalities in force are listed'),
  count: z.int().min(0),
  source: SourceSchema,
  municipalities: z.array(MunicipalityTeamSchema),
}).meta({ id: 'ExpertTeamList' });

const PublicationSchema = SignaleringReportSchema.extend({
  quarter: z.string().describe('The quarter, `YYYY-Qn`'),
  url: z.string().describe('The stable address of this publication'),
  note: z.string().describe('How the figures are suppressed'),
}).meta({ id: 'Publication' });

const PUBLICATION_FORMATS = ['application/json', 'text/csv'] as const;

export interface PublicRouteOptions {
  regions: Pick<Regions, 'list'>;
  signalering: SignaleringService;
  clock: Clock;
  /** Requests an address may make per minute to the public routes; 0 or undefined: no limit. */
  perAddressPerMinute?: number;
}

interface Limit { isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }

export const publicRoutes: FastifyPluginAsyncZod<PublicRouteOptions> = async (app, options) => {
  const { regions, signalering, clock, perAddressPerMinute } = options;
  // @fastify/rate-limit is registered on the API's scope (src/http/auth.ts): its counters, per address.
  const limiter = perAddressPerMinute
    ? app.createRateLimit({ max: perAddressPerMinute, timeWindow: 60_000, keyGenerator: (r) => `public:${r.ip}` }) as
      (request: FastifyRequest) => Promise<Limit>
    : null;
  app.addHook('onRequest', async (request, reply) => {
    if (!limiter) return;
    const limit = await limiter(request);
    if (limit.isAllowed || limit.isExceeded !== true) return;
    reply.header('Retry-After', String(Math.max(1, limit.ttlInSeconds ?? 60)));
    throw new AppError('TOO_MANY_REQUESTS', 'too many requests: try again after the time Retry-After gives');
  });
  const cacheable = (reply: FastifyReply) => reply.header('Cache-Control', PUBLIC_CACHE);

  app.get('/expertteams', {
    config: { public: true },
    schema: {
      operationId: 'listExpertTeams',
      summary: 'Every municipality with its expert team (public)',
      description: 'Without sign-in. Every municipality in force today (the CBS list, `source`), by name, with ' +
        'the expert team of the region that lists it (`region set --municipalities`) and how to reach and ' +
        'refer to it (`region set --name --phone --email --how-to-refer`); `team` is null for a municipality ' +
        'no region lists. Cacheable for 5 minutes. The same as a Dutch page at `/expertteams`.',
      tags: ['public'],
      security: [],
      response: { 200: ExpertTeamListSchema, ...problems(429) },
    },
  }, async (_request, reply) => {
    const now = clock.now();
    const list = expertTeams(await regions.list(), now);
    return cacheable(reply).send({
      asOf: amsterdamDate(now), count: list.length,
      source: { url: MUNICIPALITY_SOURCE.sourceUrl, inForceOn: MUNICIPALITY_SOURCE.inForceOn, retrieved: MUNICIPALITY_SOURCE.retrieved },
      municipalities: list,
    });
  });

  app.get('/expertteams/:code', {
    config: { public: true },
    schema: {
      operationId: 'getExpertTeam',
      summary: 'One municipality\'s expert team (public)',
      description: 'Without sign-in. The municipality with this CBS code, in force today, and its expert team ' +
        '(null when no region lists it). 400 for a code that is not GM + 4 digits; 404 for a code not in force ' +
        'today (a municipality that merged: look up the one it merged into).',
      tags: ['public'],
      security: [],
      params: z.object({ code: z.string().regex(/^GM\d{4}$/).describe('CBS municipality code, GM + 4 digits, e.g. GM0153') }),
      response: { 200: MunicipalityTeamSchema, ...problems(400, 404, 429) },
    },
  }, async (request, reply) => {
    const found = expertTeamOf(await regions.list(), request.params.code, clock.now());
    if (!found) throw new AppError('NOT_FOUND', 'no municipality with this code is in force today (CBS list)');
    return cacheable(reply).send(found);
  });

  app.get('/publications/:regionId/:quarter', {
    config: { public: true },
    schema: {
      operationId: 'getPublication',
      summary: 'A region\'s published figures of a past quarter (public)',
      description: 'Without sign-in. The signalering figures of the region for the quarter\'s three months, ' +
        'as published: small counts suppressed as in `GET /reports/signalering?publication=true` (the `note` ' +
        'says how). JSON, or CSV with `Accept: text/csv` (section,figure,category,value; `<5` for a suppressed ' +
        'count; the note and the quarter as rows of section `report`). The address is stable: ' +
        '`/publications/{regionId}/{YYYY}-Q{1-4}`. 400 for a malformed region or quarter; 404 for a region ' +
        'without settings, or a quarter that has not ended yet (Europe/Amsterdam): a quarter is published once ' +
        'it is over.',
      tags: ['public'],
      security: [],
      params: z.object({
        regionId: z.string().regex(REGION_ID).describe('The region id'),
        quarter: z.string().regex(/^\d{4}-Q[1-4]$/).describe('The quarter, e.g. 2026-Q3'),
      }),
      response: {
        200: {
          description: 'The publication',
          content: {
            'application/json': { schema: PublicationSchema },
            'text/csv': { schema: z.string().describe('RFC 4180, header row: section,figure,category,value') },
          },
        },
        ...problems(400, 404, 429),
        406: {
          description: 'NOT_ACCEPTABLE: Accept names neither application/json nor text/csv',
          content: { 'application/json': { schema: ProblemSchema } },
        },
      },
    },
  }, async (request, reply) => {
    const format = negotiate(request.headers.accept, PUBLICATION_FORMATS);
    if (!format) throw new AppError('NOT_ACCEPTABLE', `a publication is served as ${PUBLICATION_FORMATS.join(', ')}`);
    const { regionId } = request.params;
    const quarter = quarterOf(request.params.quarter)!;
    if (!quarterEnded(quarter, clock.now())) {
      throw new AppError('NOT_FOUND', `${quarter.id} has not ended yet: a quarter is published once it is over`);
    }
    if (!(await regions.list()).some((r) => r.id === regionId)) {
      throw new AppError('NOT_FOUND', 'no region with this id');
    }
    const report = await signalering.published(regionId, quarter);
    const publication = withNote(report, quarter.id, `${API_BASE}/publications/${regionId}/${quarter.id}`);
    cacheable(reply).header('Vary', 'Accept');
    if (format === 'text/csv') {
      return reply.type('text/csv; charset=utf-8; header=present')
        .header('Content-Disposition', `attachment; filename="publicatie-${regionId}-${quarter.id}.csv"`)
        .send(signaleringCsv(publication));
    }
    return reply.type('application/json; charset=utf-8').send(publication);
  });
};

function withNote(report: SignaleringReport, quarter: string, url: string) {
  return { ...report, quarter, url, note: SUPPRESSION_NOTE };
}
