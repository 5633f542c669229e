import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t } from '../../i18n/index.js';
import type { Money } from '../../money/service.js';
import { belongsTo, seesAllCasesOf } from '../../people/actor.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { drawCharts, reportCharts } from '../../reports/charts.js';
import type { MultiYearReports } from '../../reports/multi-year.js';
import type { Reports } from '../../reports/programme-year.js';
import { html } from '../../web/html.js';
import { multiYearBody, multiYearPagePath, multiYearTitle } from '../../web/multi-year.js';
import { reportBody, reportPagePath, reportTitle } from '../../web/report.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * The programme-year reports as pages in the site's layout, for the programme's own roles
 * (as the report's API: not for initiators): the list of a programme's years, and one year's
 * report with links to download it as Excel and CSV; and the multi-year report of the plan
 * and the money across the programme's years, with its charts (drawn only for that page).
 * The board and the plan's page link here.
 */

export interface ReportPageDeps {
  reports: Pick<Reports, 'yearReport'>;
  multiYear: Pick<MultiYearReports, 'multiYear'>;
  money: Pick<Money, 'pools'>;
  programmes: Pick<ProgrammeService, 'get'>;
  now: () => Date;
}

/** How many initiatives a page of the report lists: the figures count them all, the files list them all. */
export const PAGE_SIZE = 100;

const params = z.object({ programmeId: z.string().max(64), year: z.coerce.number().int().min(2000).max(2100).optional() });

export const reportPages: FastifyPluginAsync<ReportPageDeps> = async (pages, { reports, multiYear, money, programmes, now }) => {
  /** The programme of the path, if the caller is one of its own roles: else the page that does not exist, or may not be seen. */
  function programmeOf(request: FastifyRequest, reply: FastifyReply) {
    const parsed = params.safeParse(request.params);
    const actor = request.actor!;
    if (!parsed.success || !belongsTo(actor, parsed.data.programmeId) || !programmes.get(parsed.data.programmeId)) {
      errorPage(request, reply, 404);
      return undefined;
    }
    if (!seesAllCasesOf(actor, parsed.data.programmeId)) {
      errorPage(request, reply, 403);
      return undefined;
    }
    return { config: programmes.get(parsed.data.programmeId)!, year: parsed.data.year };
  }

  pages.get(
    '/programmes/:programmeId/reports',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      const here = programmeOf(request, reply);
      if (!here) return reply;
      const lang = requestLanguage(request);
      const { config } = here;
      const withPool = new Set(money.pools(config.id).map((p) => p.year));
      const last = Math.min(now().getUTCFullYear(), config.years.last);
      const years = Array.from({ length: Math.max(0, last - config.years.first + 1) }, (_, i) => last - i);
      const title = `${config.name[lang]}: ${t(lang, 'web.reports')}`;
      const body = html`<h1>${title}</h1>
<p><a href="${multiYearPagePath(config.id)}" id="multi-year-link">${t(lang, 'multiYear.linkLong')}</a></p>
<ul id="report-years">${years.map((y) =>
        withPool.has(y)
          ? html`<li><a href="${reportPagePath(config.id, y)}">${t(lang, 'web.reportLink', { year: y })}</a></li>`
          : html`<li>${t(lang, 'web.reportLink', { year: y })}: ${t(lang, 'reports.noPoolShort')}</li>`,
      )}</ul>`;
      return sendPage(request, reply, { title, body });
    }),
  );

  const yearParam = z.coerce.number().int().min(2000).max(2100).optional().catch(undefined);

  pages.get(
    '/programmes/:programmeId/reports/multi-year',
    { schema: { hide: true } },
    loggedIn(async (request, reply) => {
      const here = programmeOf(request, reply);
      if (!here) return reply;
      const lang = requestLanguage(request);
      const { first, last } = here.config.years;
      // Years chosen in the form: one outside the programme's is left out, a reversed range turned round.
      const query = (request.query ?? {}) as Record<string, unknown>;
      const [from, to] = [yearParam.parse(query.from), yearParam.parse(query.to)].map((y) =>
        y !== undefined && y >= first && y <= last ? y : undefined,
      );
      const range = from !== undefined && to !== undefined && from > to ? { from: to, to: from } : { from, to };
      const report = multiYear.multiYear(here.config.id, lang, range);
      const charts = await drawCharts(reportCharts(report));
      const withPool = new Set(money.pools(here.config.id).map((p) => p.year));
      const body = html`${multiYearBody(report, charts, here.config.years, withPool)}
<p class="no-print"><a href="/programmes/${here.config.id}/reports">${t(lang, 'reports.otherYears')}</a></p>`;
      return sendPage(request, reply, { title: multiYearTitle(report), body });
    }),
  );

  pages.get(
    '/programmes/:programmeId/reports/:year',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      const here = programmeOf(request, reply);
      if (!here) return reply;
      const lang = requestLanguage(request);
      const year = here.year!;
      try {
        const query = (request.query ?? {}) as Record<string, unknown>;
        const page = z.coerce
          .number()
          .int()
          .min(1)
          .max(100_000)
          .catch(1)
          .parse(query.page ?? 1);
        const report = reports.yearReport(here.config.id, year, lang, { page, pageSize: PAGE_SIZE });
        // A page past the last (the list got shorter): the last page.
        const { pages } = report.initiativesPage;
        if (page > pages) return reply.redirect(`${reportPagePath(here.config.id, year)}${pages > 1 ? `?page=${pages}` : ''}`, 303);
        const body = html`${reportBody(report, now())}
<p class="no-print"><a href="/programmes/${here.config.id}/reports">${t(lang, 'reports.otherYears')}</a></p>`;
        return sendPage(request, reply, { title: reportTitle(report), body });
      } catch (error) {
        // A year without a grant pool has no report yet: say so, and what to do.
        if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
        const more = html`<p>${t(lang, 'reports.noPool', { year })}</p><p><a href="/programmes/${here.config.id}/reports">${t(lang, 'reports.otherYears')}</a></p>`;
        return errorPage(request, reply, 404, undefined, more);
      }
    }),
  );
};
