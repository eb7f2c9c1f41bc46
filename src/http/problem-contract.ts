/** The problem+json body of every error response, for the OpenAPI document. */
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode, type InvalidParam } from '../errors.ts';

const CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const ProblemSchema = z.object({
  type: z.string().describe('URI naming the error code'),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  instance: z.string().describe('The request path'),
  code: z.enum(CODES).describe('Stable error code (extension member, as in the ZGW APIs)'),
  invalidParams: z.array(z.object({ name: z.string(), reason: z.string() }) satisfies z.ZodType<InvalidParam>).optional(),
  allowedEvents: z.array(z.string()).optional(),
  state: z.string().optional(),
}).meta({ id: 'Problem' });

/** Response schemas for the given error statuses. */
export function problems(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema]));
}
