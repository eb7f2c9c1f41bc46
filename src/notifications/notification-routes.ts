/**
 * GET /notifications/failed: notifications that kept failing, so that nothing is dropped
 * silently. For the region's admin and expert team; they hold ids and states, no case content.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../db/schema.ts';
import { AppError } from '../errors.ts';
import { actorOf } from '../http/auth.ts';
import { problems } from '../http/problem-contract.ts';
import type { AccessLog, Outbox } from '../store/port.ts';

const FailedNotificationsSchema = z.object({
  items: z.array(z.object({
    id: z.uuid(),
    kind: z.enum(NOTIFICATION_KINDS).describe('state_changed and deadline_passed go to the webhook; the others are e-mail notices to a person (§6.3)'),
    channel: z.enum(['webhook', 'mail']).describe('mail: an e-mail notice; its notification names the person (userId), never their address'),
    caseId: z.uuid(),
    region: z.string(),
    createdAt: z.iso.datetime(),
    attempts: z.int(),
    lastError: z.string().nullable(),
    notification: z.record(z.string(), z.unknown()).describe('The body that was sent'),
  })),
}).meta({ id: 'FailedNotifications' });

const READERS = new Set(['admin', 'expert_team']);

export const notificationRoutes: FastifyPluginAsyncZod<{ outbox: Outbox; access: AccessLog }> =
  async (app, { outbox: box, access }) => {
    app.get('/notifications/failed', {
      config: { access: 'notifications.read' },
      schema: {
        operationId: 'listFailedNotifications',
        summary: 'Notifications whose delivery (webhook or e-mail) failed for good',
        description: 'After 15 attempts with exponential backoff (about four hours) a notification is marked failed and listed here, newest first. `npm run cli -- notifications retry` sends them again.',
        tags: ['notifications'],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: FailedNotificationsSchema, ...problems(400, 401, 403) },
      },
    }, async (request) => {
      const actor = actorOf(request);
      if (!READERS.has(actor.role)) throw new AppError('FORBIDDEN', `a ${actor.role} does not read notifications`);
      const items = (await box.failed(actor.region, request.query.limit)).map((n) => ({
        id: n.id, kind: n.kind, channel: n.recipient === null ? 'webhook' as const : 'mail' as const, caseId: n.caseId, region: n.region, createdAt: n.createdAt,
        attempts: n.attempts, lastError: n.lastError,
        notification: JSON.parse(n.payload) as Record<string, unknown>,
      }));
      // Ids and states of cases are case data: the read is access-logged like any other.
      await access.record(request, actor, 'notifications.read', [...new Set(items.map((n) => n.caseId))]);
      return { items };
    });
  };
