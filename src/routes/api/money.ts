import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { requireActor, requireOwnProgramme, requireRole, requireRoleIn } from '../../http/auth.js';
import { newPoolSchema, type Money } from '../../money/service.js';
import { seesAllCasesOf } from '../../people/actor.js';
import { grantPoolListSchema, grantPoolSchema } from './answers.js';
import { answers, programmeParams } from './schemas.js';

export interface MoneyRouteDeps {
  money: Pick<Money, 'pools' | 'createPool'>;
}

const year = z.coerce.number().int().min(2000).max(2100);

/** Money and reports are for the programme's own roles, not for initiators. */
function programmeRoleOnly(request: FastifyRequest, programmeId: string) {
  requireOwnProgramme(request, programmeId);
  if (!seesAllCasesOf(request.actor!, programmeId)) {
    throw new DomainError('forbidden', "the programme's money is for its own roles", { roles: [] });
  }
}

/** Grant pools. */
export const moneyRoutes: FastifyPluginAsyncZod<MoneyRouteDeps> = async (app, { money }) => {
  app.get(
    '/programmes/:programmeId/pools',
    {
      schema: {
        tags: ['money'],
        summary: "The programme's grant pools with committed and remaining amounts (whole öre)",
        params: programmeParams,
        querystring: z.object({ year: year.optional() }).strict(),
        response: answers({ 200: grantPoolListSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => {
      programmeRoleOnly(request, request.params.programmeId);
      return { items: money.pools(request.params.programmeId, request.query.year) };
    },
  );

  app.post(
    '/programmes/:programmeId/pools',
    {
      schema: {
        tags: ['money'],
        summary: 'Set up a grant pool for a year, with optional earmarks per priority area',
        params: programmeParams,
        body: newPoolSchema,
        response: answers({ 201: grantPoolSchema }, 401, 403, 404, 409, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request, reply) => {
      requireRoleIn(request, request.params.programmeId, 'administrator');
      return reply.code(201).send(money.createPool(request.params.programmeId, request.actor!.id, request.body));
    },
  );
};
