import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.js';
import { requireActor, requireOwnProgramme, requireRole } from '../../http/auth.js';
import { requestLanguage } from '../../http/errors.js';
import { Problem } from '../../http/problem.js';
import { newPoolSchema } from '../../money/service.js';
import { isProgrammeRole } from '../../people/service.js';
import { csvCell, reportCsv, reportHtml } from '../../reports/render.js';
import { errorResponses, programmeParams } from './schemas.js';

const year = z.coerce.number().int().min(2000).max(2100);



/** Money and reports are for the programme's own roles, not for initiators. */
function programmeRoleOnly(request: FastifyRequest) {
  if (!request.actor!.roles.some(isProgrammeRole)) {
    throw new Problem('forbidden', "the programme's money is for its own roles", { roles: [] });
  }
}

export function moneyRoutes(app: FastifyInstance, services: Services) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/programmes/:programmeId/pools',
    {
      schema: {
        tags: ['money'],
        summary: "The programme's grant pools with committed and remaining amounts (whole öre)",
        params: programmeParams,
        querystring: z.object({ year: year.optional() }).strict(),
        response: errorResponses(401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => {
      requireOwnProgramme(request, request.params.programmeId);
      programmeRoleOnly(request);
      return { items: services.money.pools(request.params.programmeId, request.query.year) };
    },
  );

  api.post(
    '/api/programmes/:programmeId/pools',
    {
      schema: {
        tags: ['money'],
        summary: 'Set up a grant pool for a year, with optional earmarks per priority area',
        params: programmeParams,
        body: newPoolSchema,
        response: errorResponses(401, 403, 404, 409, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request, reply) => {
      requireOwnProgramme(request, request.params.programmeId);
      return reply.code(201).send(services.money.createPool(request.params.programmeId, request.actor!.id, request.body));
    },
  );

  api.get(
    '/api/programmes/:programmeId/reports/:year',
    {
      schema: {
        tags: ['reports'],
        summary: 'The programme-year report for political leadership, as JSON, CSV or a printable page',
        params: programmeParams.extend({ year }).strict(),
        querystring: z.object({ format: z.enum(['json', 'csv', 'html']).default('json') }).strict(),
        response: errorResponses(401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      requireOwnProgramme(request, request.params.programmeId);
      programmeRoleOnly(request);
      const report = services.reports.yearReport(request.params.programmeId, request.params.year, requestLanguage(request));
      const name = `${request.params.programmeId}-${request.params.year}`;
      switch (request.query.format) {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .send(reportCsv(report));
        case 'html':
          return reply.type('text/html; charset=utf-8').send(reportHtml(report, services.now()));
        default:
          return report;
      }
    },
  );

  api.get(
    '/api/public/programmes/:programmeId/initiatives',
    {
      schema: {
        tags: ['reports'],
        summary: 'Public export of decided initiatives: title, purpose, parties, granted amount, decision reference; no personal data',
        security: [],
        params: programmeParams,
        querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }).strict(),
        response: errorResponses(404, 422),
      },
    },
    async (request, reply) => {
      const data = services.reports.publicInitiatives(request.params.programmeId);
      if (request.query.format === 'json') return data;
      const header = ['diary_number', 'title', 'purpose', 'parties', 'granted_ore', 'decision_date', 'decision_reference'];
      const rows = data.initiatives.map((i) =>
        [i.diaryNumber, i.title, i.purpose, i.parties.map((p) => p.name).join(', '), String(i.grantedOre), i.decisionDate, i.decisionReference].map(csvCell).join(';'),
      );
      return reply.type('text/csv; charset=utf-8').send('\ufeff' + [header.join(';'), ...rows].join('\r\n') + '\r\n');
    },
  );
}
