import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { requireActor, requireOwnProgramme } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { seesAllCasesOf } from '../../people/actor.js';
import { publicInitiativesCsv, reportCsv } from '../../reports/csv.js';
import { multiYearCsv, multiYearXlsx } from '../../reports/multi-year-formats.js';
import type { MultiYearReports } from '../../reports/multi-year.js';
import type { Reports } from '../../reports/programme-year.js';
import { reportXlsx, XLSX_TYPE } from '../../reports/xlsx.js';
import { multiYearPagePath } from '../../web/multi-year.js';
import { reportPagePath } from '../../web/report.js';
import { multiYearReportSchema, publicInitiativesSchema, yearReportSchema } from './answers.js';
import { answers, programmeParams } from './schemas.js';

export interface ReportRouteDeps {
  reports: Pick<Reports, 'yearReport' | 'publicInitiatives'>;
  multiYear: Pick<MultiYearReports, 'multiYear'>;
  now: () => Date;
}

const year = z.coerce.number().int().min(2000).max(2100);

/** How many initiatives a page of the JSON lists, unless asked for another number, and at most. */
const PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** Reports, like the money they show, are for the programme's own roles, not for initiators. */
function programmeRoleOnly(request: FastifyRequest, programmeId: string) {
  requireOwnProgramme(request, programmeId);
  if (!seesAllCasesOf(request.actor!, programmeId)) {
    throw new DomainError('forbidden', "the programme's reports are for its own roles", { roles: [] });
  }
}

/** The programme-year report (JSON, CSV, Excel; the page is under the site) and the public export of decided initiatives. */
export const reportRoutes: FastifyPluginAsyncZod<ReportRouteDeps> = async (app, { reports, multiYear, now }) => {
  // Before /reports/:year: a path of its own, not a year.
  app.get(
    '/programmes/:programmeId/reports/multi-year',
    {
      schema: {
        tags: ['reports'],
        summary:
          "The multi-year report: the plan's goals, indicators against targets, assignments and the money across the programme's years",
        description: [
          'The answer documented here is the JSON.',
          "Without from and to it covers the programme's first year up to this year (or its last); from and to choose a range inside the programme's years.",
          'Each indicator has a row per year: target, measured value and outcome (met, missed, not-measured, not-yet-due, no-target); each assignment says whether it is overdue today; the money of a year is the totals of that year’s programme-year report.',
          '?format=csv gives the same report as text/csv: semicolons, UTF-8 with BOM, one header row listing every column and a leading `kind` column (plan, goal, indicator-year, assignment, money-year, money-total); amounts in whole öre (`<figure>_ore`) and in kronor (`<figure>_kr`).',
          '?format=xlsx gives the same rows as an Excel workbook, one sheet per kind with that kind’s columns.',
          '?format=html answers 303 See Other to the report’s page, with its charts.',
        ].join(' '),
        params: programmeParams,
        querystring: z
          .object({ format: z.enum(['json', 'csv', 'xlsx', 'html']).default('json'), from: year.optional(), to: year.optional() })
          .strict(),
        response: answers({ 200: multiYearReportSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const { programmeId } = request.params;
      const { format, from, to } = request.query;
      programmeRoleOnly(request, programmeId);
      const report = multiYear.multiYear(programmeId, requestLanguage(request), { from, to });
      const name = `${programmeId}-${report.fromYear}-${report.toYear}`;
      switch (format) {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .send(multiYearCsv(report));
        case 'xlsx':
          return reply
            .type(XLSX_TYPE)
            .header('content-disposition', `attachment; filename="${name}.xlsx"`)
            .send(await multiYearXlsx(report, now()));
        case 'html':
          return reply.redirect(multiYearPagePath(programmeId, { from, to }), 303);
        default:
          return report;
      }
    },
  );

  app.get(
    '/programmes/:programmeId/reports/:year',
    {
      schema: {
        tags: ['reports'],
        summary: 'The programme-year report for political leadership, as JSON, CSV, an Excel workbook or a page',
        description: [
          'The answer documented here is the JSON. Its figures count every initiative; its list of initiatives is one page of them, in diary-number order (?page= from 1, ?pageSize= up to 1000, 100 unless given; initiativesPage says how many pages there are).',
          '?format=csv gives the same report as text/csv: semicolons, UTF-8 with BOM, one header row listing every column and a leading `kind` column (pool, earmark, override, area, sub-area, scope, distribution, initiative, total); amounts in whole öre (`<figure>_ore`) and in kronor (`<figure>_kr`).',
          '?format=xlsx gives the same rows as an Excel workbook, one sheet per kind with that kind’s columns.',
          '?format=html answers 303 See Other to the report’s page, /programmes/{programmeId}/reports/{year}.',
        ].join(' '),
        params: programmeParams.extend({ year }).strict(),
        querystring: z
          .object({
            format: z.enum(['json', 'csv', 'xlsx', 'html']).default('json'),
            page: z.coerce.number().int().min(1).max(100_000).default(1).describe('the JSON: which page of the initiatives, from 1'),
            pageSize: z.coerce
              .number()
              .int()
              .min(1)
              .max(MAX_PAGE_SIZE)
              .default(PAGE_SIZE)
              .describe(`the JSON: how many initiatives a page lists (at most ${MAX_PAGE_SIZE})`),
          })
          .strict(),
        response: answers({ 200: yearReportSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const { programmeId, year: reportYear } = request.params;
      programmeRoleOnly(request, programmeId);
      const { format, page, pageSize } = request.query;
      // The JSON lists a page of the initiatives; the spreadsheets all of them.
      const want = format === 'json' ? { page, pageSize } : format === 'html' ? 'none' : 'all';
      const report = reports.yearReport(programmeId, reportYear, requestLanguage(request), want);
      const name = `${programmeId}-${reportYear}`;
      switch (format) {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .send(reportCsv(report));
        case 'xlsx':
          return reply
            .type(XLSX_TYPE)
            .header('content-disposition', `attachment; filename="${name}.xlsx"`)
            .send(await reportXlsx(report, now()));
        case 'html':
          return reply.redirect(reportPagePath(programmeId, reportYear), 303);
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
        description:
          'The answer documented here is the JSON. ?format=csv gives the same initiatives as text/csv: a row of kind `initiative` per initiative, then a row of kind `party` per party (with the diary number and title), so every party name is a cell of its own.',
        security: [],
        params: programmeParams,
        querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }).strict(),
        response: answers({ 200: publicInitiativesSchema }, 404, 422),
      },
    },
    async (request, reply) => {
      const data = reports.publicInitiatives(request.params.programmeId);
      if (request.query.format === 'json') return data;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${request.params.programmeId}-initiatives.csv"`)
        .send(publicInitiativesCsv(data));
    },
  );
};
