/** Routes about the service itself: health, the statechart and the OpenAPI document. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REFERRAL_MACHINE_VERSION, referralMachine } from '../../machines/referral.machine.ts';
import { problems } from './problem-contract.ts';

const MachineSchema = z.object({
  id: z.string(),
  version: z.string(),
  definition: z.record(z.string(), z.unknown()).describe('The statechart as XState serialises it'),
}).meta({ id: 'MachineDefinition' });

/** At the root, outside /api/v1 (DESIGN §3): liveness and database readiness. */
export const healthRoute: FastifyPluginAsyncZod<{ ping: () => Promise<boolean>; audit: () => 'ok' | 'broken' | 'verifying' }> =
  async (app, { ping, audit: auditStatus }) => {
    app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
      // While the start-up verification runs (in its own thread), the service serves: 'verifying'.
      const audit = auditStatus();
      try {
        if (!await ping()) throw new Error('the store did not answer');
        return { status: audit === 'broken' ? 'degraded' : 'ok', database: 'ok', audit };
      } catch (err) {
        reply.log.error({ err }, 'database not ready');
        return reply.code(503).send({ status: 'unavailable', database: 'unavailable', audit });
      }
    });
  };

export const apiMetaRoutes: FastifyPluginAsyncZod = async (app) => {
  const machine = {
    id: referralMachine.id,
    version: REFERRAL_MACHINE_VERSION,
    definition: referralMachine.toJSON() as unknown as Record<string, unknown>,
  };
  app.get('/machines/referral', {
    schema: {
      operationId: 'getReferralMachine',
      summary: 'The referral statechart as JSON',
      description: 'The statechart definition every case is stepped with, and its version.',
      tags: ['machine'],
      response: { 200: MachineSchema, ...problems(400, 401) },
    },
  }, async () => machine);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } },
    async () => app.swagger());
};
