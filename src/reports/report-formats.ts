/**
 * What every report route answers in (the signalering report, the supply report): JSON, CSV or a
 * printable Dutch page, chosen by the Accept header; and the responses its OpenAPI operation
 * declares for them. One place, so that the reports cannot drift apart.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { negotiate } from '../http/negotiate.ts';
import { ProblemSchema, problems } from '../http/problem-contract.ts';

export const REPORT_FORMATS = ['application/json', 'text/csv', 'text/html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The format the Accept header asks for: 406 NOT_ACCEPTABLE when it names none of them. */
export function reportFormatOf(request: FastifyRequest): ReportFormat {
  const format = negotiate(request.headers.accept, REPORT_FORMATS);
  if (!format) throw new AppError('NOT_ACCEPTABLE', `the report is served as ${REPORT_FORMATS.join(', ')}`);
  return format;
}

/** A report operation's responses: the report in its three formats, and the problems it may answer. */
export function reportResponses(report: z.ZodType, html: string) {
  return {
    200: {
      description: 'The report',
      content: {
        'application/json': { schema: report },
        'text/csv': { schema: z.string().describe('RFC 4180, header row: section,figure,category,value') },
        'text/html': { schema: z.string().describe(html) },
      },
    },
    ...problems(400, 401, 403),
    406: {
      description: 'NOT_ACCEPTABLE: Accept names none of application/json, text/csv, text/html',
      content: { 'application/json': { schema: ProblemSchema } },
    },
  };
}
