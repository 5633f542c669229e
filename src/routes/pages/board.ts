import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { STEPS } from '../../../machines/case/catalogue.js';
import { CURRENT_CASE_MACHINE_VERSION } from '../../../machines/versions.js';
import type { CaseService } from '../../cases/service.js';
import { requestLanguage } from '../../http/language.js';
import { t } from '../../i18n/index.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { areaOptions } from '../../web/actions.js';
import { firstText } from '../../web/forms.js';
import { html, raw } from '../../web/html.js';
import { diagramSvg, prepareDiagram } from '../../web/diagram-svg.js';
import { reportPagePath } from '../../web/report.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * The coordinators' board: the programme's cases by step, with filters and search, and the
 * printable programme-year reports.
 */

export interface BoardPageDeps {
  cases: Pick<CaseService, 'list' | 'stepCounts'>;
  programmes: Pick<ProgrammeService, 'get'>;
  now: () => Date;
}

export const boardPages: FastifyPluginAsync<BoardPageDeps> = async (pages, { cases, programmes, now }) => {
  const boardQuery = z.object({
    step: z.coerce.number().int().min(1).max(12).optional().catch(undefined),
    priorityArea: z.string().max(64).optional().catch(undefined),
    status: z.enum(['active', 'done']).optional().catch(undefined),
    q: z.string().trim().max(200).optional().catch(undefined),
    cursor: z.string().max(500).optional().catch(undefined),
  });

  pages.get(
    '/board',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const here = request.pageProgramme;
      if (!here || !here.roles.some((r) => r !== 'initiator')) return errorPage(request, reply, 403);
      const lang = requestLanguage(request);
      await prepareDiagram(lang, CURRENT_CASE_MACHINE_VERSION);
      // Every case of the programme at each step (not only those on this page of the list).
      const counts = cases.stepCounts(actor, here.id);
      const config = programmes.get(here.id)!;
      const raw0 = request.query as Record<string, unknown>;
      const query = boardQuery.parse(Object.fromEntries(Object.entries(raw0).map(([k, v]) => [k, firstText(v) || undefined])));
      const list = cases.list(actor, { limit: 100, ...query, q: query.q || undefined, programme: here.id }, lang) as ReturnType<
        CaseService['list']
      > & {
        items: {
          id: string;
          diaryNumber: string;
          title: string;
          steps: number[];
          status: string;
          outcomeLabel: string | null;
          priorityAreaId: string | null;
          updatedAt: string;
        }[];
      };
      const areas = areaOptions(lang, config);
      const areaLabel = new Map(areas.map((a) => [a.value, a.label]));
      const card = (c: (typeof list.items)[number]) =>
        html`<li><a href="/cases/${c.id}">${c.title}</a><br><span class="meta">${c.diaryNumber}${c.priorityAreaId ? ` · ${areaLabel.get(c.priorityAreaId) ?? ''}` : ''}</span></li>`;
      const columns = STEPS.map((step) => {
        const inStep = list.items.filter((c) => c.status === 'active' && c.steps.includes(step));
        if (inStep.length === 0 && query.step !== step) return '';
        return html`<section aria-labelledby="step-${step}"><h2 id="step-${step}">${t(lang, 'app.stepOf', { step, total: 12 })}: ${t(lang, `steps.${step}`)} <span class="meta">(${inStep.length})</span></h2><ul>${inStep.map(card)}</ul></section>`;
      });
      const closed = list.items.filter((c) => c.status === 'done');
      const select = (name: string, options: { value: string; label: string }[], current: string | undefined, all: string) =>
        html`<div><label for="f-${name}">${t(lang, name === 'step' ? 'web.step' : name === 'priorityArea' ? 'web.area' : 'web.status')}</label>
<select id="f-${name}" name="${name}"><option value="">${all}</option>${options.map((o) => html`<option value="${o.value}"${o.value === current ? raw(' selected') : ''}>${o.label}</option>`)}</select></div>`;
      const params = new URLSearchParams(
        Object.entries(query)
          .filter(([k, v]) => v !== undefined && k !== 'cursor')
          .map(([k, v]) => [k, String(v)]),
      );
      if (list.nextCursor) params.set('cursor', list.nextCursor);
      // The programme-year reports (issue 4's printable page), for the years the programme runs up to now.
      const thisYear = now().getUTCFullYear();
      const years = Array.from(
        { length: Math.min(thisYear, config.years.last) - config.years.first + 1 },
        (_, i) => config.years.first + i,
      ).reverse();
      const reports = years.map(
        (y) => html`<li><a href="${reportPagePath(config.id, y)}">${t(lang, 'web.reportLink', { year: y })}</a></li>`,
      );
      const body = html`<h1>${t(lang, 'web.board')}</h1>
${reports.length ? html`<nav aria-label="${t(lang, 'web.reports')}"><ul class="inline">${reports}</ul></nav>` : ''}
<form method="get" action="/board" class="filters" role="search" aria-label="${t(lang, 'web.filters')}">
${select(
  'step',
  STEPS.map((s) => ({ value: String(s), label: `${s}. ${t(lang, `steps.${s}`)}` })),
  query.step ? String(query.step) : undefined,
  t(lang, 'web.allSteps'),
)}
${select('priorityArea', areas, query.priorityArea, t(lang, 'web.all'))}
${select(
  'status',
  [
    { value: 'active', label: t(lang, 'web.statusActive') },
    { value: 'done', label: t(lang, 'web.statusDone') },
  ],
  query.status,
  t(lang, 'web.all'),
)}
<div><label for="f-q">${t(lang, 'web.search')}</label><input type="search" id="f-q" name="q" value="${query.q ?? ''}"></div>
<div><button type="submit">${t(lang, 'web.show')}</button></div>
</form>
<p role="status">${t(lang, 'web.caseCount', { count: list.items.length })}</p>
<div class="board">${columns}</div>
<section aria-labelledby="board-picture"><h2 id="board-picture">${t(lang, 'diagram.boardHeading')}</h2>
${diagramSvg(lang, CURRENT_CASE_MACHINE_VERSION, { counts, id: 'board-diagram' })}
<ul class="inline step-counts">${STEPS.map((step) => html`<li><a href="/board?step=${step}">${step}. ${t(lang, `steps.${step}`)}</a>: ${t(lang, (counts.get(step) ?? 0) === 1 ? 'diagram.oneCase' : 'diagram.cases', { count: counts.get(step) ?? 0 })}</li>`)}</ul></section>
${closed.length ? html`<section aria-labelledby="closed"><h2 id="closed">${t(lang, 'web.closedCases')}</h2><ul>${closed.map((c) => html`<li><a href="/cases/${c.id}">${c.title}</a> <span class="meta">${c.diaryNumber} · ${c.outcomeLabel ?? ''}</span></li>`)}</ul></section>` : ''}
${list.nextCursor ? html`<p><a href="/board?${params.toString()}">${t(lang, 'web.moreCases')}</a></p>` : ''}`;
      return sendPage(request, reply, { title: t(lang, 'web.board'), body });
    }),
  );
};
