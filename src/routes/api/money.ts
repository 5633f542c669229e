import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { requireActor, requireOwnProgramme, requireRole, requireRoleIn } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { newPoolSchema, type Money } from '../../money/service.js';
import { seesAllCasesOf } from '../../people/actor.js';
import { publicInitiativesCsv, reportCsv } from '../../reports/csv.js';
import type { Reports } from '../../reports/programme-year.js';
import { reportHtml } from '../../web/report.js';
import { grantPoolListSchema, grantPoolSchema, publicInitiativesSchema, yearReportSchema } from './answers.js';
import { answers, programmeParams } from './schemas.js';

export interface MoneyRouteDeps {
  money: Pick<Money, 'pools' | 'createPool'>;
  reports: Reports;
  now: () => Date;
}

const year = z.coerce.number().int().min(2000).max(2100);

/** Money and reports are for the programme's own roles, not for initiators. */
function programmeRoleOnly(request: FastifyRequest, programmeId: string) {
  requireOwnProgramme(request, programmeId);
  if (!seesAllCasesOf(request.actor!, programmeId)) {
    throw new DomainError('forbidden', "the programme's money is for its own roles", { roles: [] });
  }
}

/** Grant pools, the programme-year report and the public export of decided initiatives. */
export const moneyRoutes: FastifyPluginAsyncZod<MoneyRouteDeps> = async (app, { money, reports, now }) => {
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

  app.get(
    '/programmes/:programmeId/reports/:year',
    {
      schema: {
        tags: ['reports'],
        summary: 'The programme-year report for political leadership, as JSON, CSV or a printable page',
        description:
          'The answer documented here is the JSON; ?format=csv gives the same report as text/csv, ?format=html as a printable text/html page.',
        params: programmeParams.extend({ year }).strict(),
        querystring: z.object({ format: z.enum(['json', 'csv', 'html']).default('json') }).strict(),
        response: answers({ 200: yearReportSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      programmeRoleOnly(request, request.params.programmeId);
      const report = reports.yearReport(request.params.programmeId, request.params.year, requestLanguage(request));
      const name = `${request.params.programmeId}-${request.params.year}`;
      switch (request.query.format) {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .send(reportCsv(report));
        case 'html':
          return reply.type('text/html; charset=utf-8').send(reportHtml(report, now()));
        default:
          return report;
      }
    },
  );

  app.get(
    '/public/programmes/:programmeId/initiatives',
    {
      schema: {
        tags: ['reports'],
        summary: 'Public export of decided initiatives: title, purpose, parties, granted amount, decision reference; no personal data',
        description: 'The answer documented here is the JSON; ?format=csv gives the same initiatives as text/csv.',
        security: [],
        params: programmeParams,
        querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }).strict(),
        response: answers({ 200: publicInitiativesSchema }, 404, 422),
      },
    },
    async (request, reply) => {
      const data = reports.publicInitiatives(request.params.programmeId);
      if (request.query.format === 'json') return data;
      return reply.type('text/csv; charset=utf-8').send(publicInitiativesCsv(data));
    },
  );
};
