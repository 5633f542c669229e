import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canSeeCase } from '../../engine/access.js';
import { DomainError } from '../../errors.js';
import { requireActor, requireOwnProgramme, requireRole, requireRoleIn } from '../../http/auth.js';
import { paymentSchema, releaseSchema, repaymentSchema } from '../../money/ledger.js';
import { carryOverSchema, correctionSchema, distributionSchema } from '../../money/pool-changes.js';
import { newPoolSchema, type Money } from '../../money/service.js';
import { seesAllCasesOf } from '../../people/actor.js';
import {
  carryOverAnswerSchema,
  caseMoneySchema,
  grantMovementSchema,
  grantPoolDetailSchema,
  grantPoolListSchema,
  grantPoolSchema,
} from './answers.js';
import { answers, caseIdParams, programmeParams } from './schemas.js';

export interface MoneyRouteDeps {
  money: Pick<
    Money,
    | 'pools'
    | 'createPool'
    | 'poolDetail'
    | 'correctPool'
    | 'carryOver'
    | 'distributePool'
    | 'caseAccess'
    | 'caseMoney'
    | 'recordPayment'
    | 'recordRepayment'
    | 'releaseCommitment'
  >;
}

const year = z.coerce.number().int().min(2000).max(2100);

/** Money and reports are for the programme's own roles, not for initiators. */
function programmeRoleOnly(request: FastifyRequest, programmeId: string) {
  requireOwnProgramme(request, programmeId);
  if (!seesAllCasesOf(request.actor!, programmeId)) {
    throw new DomainError('forbidden', "the programme's money is for its own roles", { roles: [] });
  }
}

const poolParams = programmeParams.extend({ poolId: z.uuid() }).strict();

/** Who records payments, repayments and releases: the county coordinators, or the programme's finance role. */
const MONEY_KEEPERS = ['county-coordinator', 'finance'] as const;

/**
 * A case's money is seen by whoever sees the case: the programme's own roles, and the case's
 * own people (its initiator and participants), who may see what was granted and paid to them.
 * Anyone else is told there is no such case. Returns the case's programme.
 */
function visibleCase(request: FastifyRequest, money: Pick<Money, 'caseAccess'>, caseId: string): string {
  const access = money.caseAccess(caseId, request.actor!.id);
  if (!access || !canSeeCase(request.actor!, access.programmeId, access.member)) throw new DomainError('not-found', `no case ${caseId}`);
  return access.programmeId;
}

/** Grant pools and what happens to them and to granted money. */
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

  app.get(
    '/programmes/:programmeId/pools/:poolId',
    {
      schema: {
        tags: ['money'],
        summary: 'One grant pool with its figures, its corrections and carry-overs, and its distributions (the newest in force)',
        params: poolParams,
        response: answers({ 200: grantPoolDetailSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => {
      programmeRoleOnly(request, request.params.programmeId);
      return money.poolDetail(request.params.programmeId, request.params.poolId);
    },
  );

  app.post(
    '/programmes/:programmeId/pools/:poolId/corrections',
    {
      schema: {
        tags: ['money'],
        summary: "Correct a pool's amount, by a signed change or to a new amount, with a motivation kept in the audit",
        description: 'Refused (422) when the pool would have less than nothing. Answers with the pool as GET gives it.',
        params: poolParams,
        body: correctionSchema,
        response: answers({ 201: grantPoolDetailSchema }, 401, 403, 404, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request, reply) => {
      requireRoleIn(request, request.params.programmeId, 'administrator');
      const { programmeId, poolId } = request.params;
      return reply.code(201).send(money.correctPool(programmeId, request.actor!.id, poolId, request.body));
    },
  );

  app.post(
    '/programmes/:programmeId/carry-overs',
    {
      schema: {
        tags: ['money'],
        summary: "Carry money left in a year's pool over to the next year's pool of the same kind, by a recorded decision",
        description:
          "At most what remains in the pool. The next year's pool must be set up first (else 422). Writes an outgoing line on the one pool and an incoming line on the other.",
        params: programmeParams,
        body: carryOverSchema,
        response: answers({ 201: carryOverAnswerSchema }, 401, 403, 404, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request, reply) => {
      requireRoleIn(request, request.params.programmeId, 'administrator');
      return reply.code(201).send(money.carryOver(request.params.programmeId, request.actor!.id, request.body));
    },
  );

  app.post(
    '/programmes/:programmeId/pools/:poolId/distributions',
    {
      schema: {
        tags: ['money'],
        summary: 'Record a prioritisation decision distributing a pool to county-wide, sub-regional and local purposes',
        description: 'The lines may total at most what the pool has. The newest decision is in force; earlier ones stay listed.',
        params: poolParams,
        body: distributionSchema,
        response: answers({ 201: grantPoolDetailSchema }, 401, 403, 404, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request, reply) => {
      requireRoleIn(request, request.params.programmeId, 'administrator');
      const { programmeId, poolId } = request.params;
      return reply.code(201).send(money.distributePool(programmeId, request.actor!.id, poolId, request.body));
    },
  );

  app.get(
    '/cases/:id/money',
    {
      schema: {
        tags: ['money'],
        summary: "A case's money: committed, paid, repaid, released and unpaid per pool and year, and every movement",
        description: "For the programme's roles and for the case's own people (its initiator and participants).",
        params: caseIdParams,
        response: answers({ 200: caseMoneySchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => {
      visibleCase(request, money, request.params.id);
      return money.caseMoney(request.params.id);
    },
  );

  const movement = (
    path: string,
    summary: string,
    body: typeof paymentSchema | typeof repaymentSchema | typeof releaseSchema,
    record: (caseId: string, actorId: string, input: unknown) => unknown,
  ) =>
    app.post(
      `/cases/:id/${path}`,
      {
        schema: {
          tags: ['money'],
          summary,
          description: 'By a county coordinator or the programme’s finance role. Answers with the recorded row.',
          params: caseIdParams,
          body,
          response: answers({ 201: grantMovementSchema }, 401, 403, 404, 422),
        },
        preValidation: requireRole(...MONEY_KEEPERS),
      },
      async (request, reply) => {
        const programmeId = visibleCase(request, money, request.params.id);
        requireRoleIn(request, programmeId, ...MONEY_KEEPERS);
        return reply.code(201).send(record(request.params.id, request.actor!.id, request.body));
      },
    );
  movement(
    'payments',
    'Record a payment (utbetalning) of granted money; at most what is unpaid in that pool',
    paymentSchema,
    money.recordPayment,
  );
  movement(
    'repayments',
    'Record a repayment (återbetalning) of unused grant; at most what was paid and not yet repaid',
    repaymentSchema,
    money.recordRepayment,
  );
  movement(
    'releases',
    'Release committed money that will not be paid; at most what is unpaid in that pool',
    releaseSchema,
    money.releaseCommitment,
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
