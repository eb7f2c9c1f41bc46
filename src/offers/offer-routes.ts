/** The offers register's routes (DESIGN §6.4): register, read, and report waiting times. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_BASE } from '../config.ts';
import { actorOf } from '../http/auth.ts';
import { problems } from '../http/problem-contract.ts';
import type { OfferService } from './offer-service.ts';
import {
  NewOfferSchema, OfferSchema, OfferWithHistorySchema, WaitingTimeReportSchema, WaitingTimeSchema,
} from './offers.ts';

const ParamsSchema = z.object({ id: z.uuid().describe('The offer\'s id') });

export const offerRoutes: FastifyPluginAsyncZod<{ offers: OfferService }> = async (app, { offers }) => {
  app.post('/offers', {
    schema: {
      operationId: 'registerOffer',
      summary: 'Register an offer (aanbod) of the region',
      description: 'The region\'s admin registers what a provider offers: its kind of help, laws, municipalities ' +
        '(CBS codes in force, of the region\'s list where it has one) and ages.',
      tags: ['offers'],
      body: NewOfferSchema,
      response: { 201: OfferSchema, ...problems(400, 401, 403, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const offer = await offers.register(actorOf(request), request.body);
    return reply.code(201).header('Location', `${API_BASE}/offers/${offer.id}`).send(offer);
  });

  app.get('/offers', {
    schema: {
      operationId: 'listOffers',
      summary: 'The region\'s offers register, each offer with its latest waiting time',
      description: 'For the region\'s admin and expert team; a provider reads its own offers.',
      tags: ['offers'],
      response: { 200: z.object({ items: z.array(OfferSchema) }), ...problems(401, 403) },
    },
  }, async (request) => ({ items: await offers.list(actorOf(request)) }));

  app.get('/offers/:id', {
    schema: {
      operationId: 'getOffer',
      summary: 'One offer with every waiting time reported',
      tags: ['offers'],
      params: ParamsSchema,
      response: { 200: OfferWithHistorySchema, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => offers.get(actorOf(request), request.params.id));

  app.post('/offers/:id/waiting-times', {
    schema: {
      operationId: 'reportWaitingTime',
      summary: 'Report an offer\'s waiting time',
      description: 'By the offer\'s own provider (role provider, its organisation the offer\'s provider; source provider) ' +
        'or the region\'s admin. Another provider: 403.',
      tags: ['offers'],
      params: ParamsSchema,
      body: WaitingTimeReportSchema,
      response: { 201: WaitingTimeSchema, ...problems(400, 401, 403, 404, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const { waitingTime } = await offers.report(actorOf(request), request.params.id, request.body);
    return reply.code(201).header('Location', `${API_BASE}/offers/${request.params.id}`).send(waitingTime);
  });
};
