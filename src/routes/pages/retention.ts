import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import type { Actor } from '../../people/actor.js';
import { RETENTION_RULES, type Retention, type RetentionRun } from '../../retention/service.js';
import { dateTime } from '../../web/dates.js';
import { firstText } from '../../web/forms.js';
import { html, type SafeHtml } from '../../web/html.js';
import { backLink, notice } from '../../web/questions.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * The retention rules (gallring) of the programme the pages work in, for its administrator:
 * each rule with the decision it rests on, the archive settings the closed-cases rule depends
 * on, links to change both (the programme's settings pages: a new version each), the recent
 * runs, and a button that runs the rules now.
 */

export interface RetentionPageDeps {
  retention: Retention;
}

const PERIOD: Record<(typeof RETENTION_RULES)[number], 'days' | 'years' | 'months'> = {
  sentMail: 'days',
  closedCases: 'years',
  logins: 'months',
};

export const retentionPages: FastifyPluginAsync<RetentionPageDeps> = async (pages, { retention }) => {
  const text = (lang: Language) => (key: string, params?: Record<string, string | number>) => t(lang, `retention.${key}`, params);
  const csrfInput = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;

  /** Runs a handler for an administrator of the programme the pages work in; anyone else gets the 403 page. */
  const administrator = (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor, programmeId: string) => unknown) =>
    loggedIn((request, reply, actor) => {
      const programme = request.pageProgramme;
      if (!programme || !programme.roles.includes('administrator')) return errorPage(request, reply, 403);
      return handler(request, reply, actor, programme.id);
    });

  /** What one run removed, in words: the counts of each kind, and the cases' diary numbers. */
  function removedText(lang: Language, run: RetentionRun): SafeHtml {
    const s = text(lang);
    const parts = Object.entries(run.details.counts)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => s(`counts.${kind}`, { count: n }));
    const cases = run.details.diaryNumbers?.length
      ? html`<br>${s('page.diaryNumbers', { list: run.details.diaryNumbers.join(', ') })}`
      : '';
    return html`${parts.join(', ') || String(run.removed)}${cases}`;
  }

  pages.get(
    '/programme/retention',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const s = text(lang);
      const view = retention.view(actor, programmeId);
      const query = request.query as Record<string, unknown>;
      const done = firstText(query.done);
      const removed = Number(firstText(query.removed)) || 0;
      const title = s('page.title');
      const ruleRow = (rule: (typeof RETENTION_RULES)[number]) => {
        const r = view[rule];
        const period = r ? (r as unknown as Record<string, number>)[PERIOD[rule]]! : 0;
        return html`<tr><th scope="row">${s(`settings.${rule}.group`)}</th>
<td data-label="${s('page.what')}">${s(`page.removes.${rule}`)}</td>
<td data-label="${s('page.when')}">${r ? html`${s(`settings.${rule}.${period === 1 ? 'summaryOne' : 'summary'}`, { count: period })}${rule === 'closedCases' && view.closedCases?.afterDelivery ? html` ${s('settings.closedCases.summaryAfterDelivery')}` : ''}` : s('settings.noRule')}</td>
<td data-label="${s('page.decision')}">${r?.decision ?? '–'}</td></tr>`;
      };
      const runs = view.runs;
      const body = html`${notice(done === 'ran' ? (removed > 0 ? s('page.ran', { count: removed }) : s('page.ranNothing')) : undefined)}${backLink('/programme/settings', t(lang, 'programmeAdmin.backToSettings'))}<h1>${title}</h1>
<p>${s('page.intro')}</p>
<h2>${s('page.rulesHeading')}</h2>
<table><thead><tr><th scope="col">${s('page.rule')}</th><th scope="col">${s('page.what')}</th><th scope="col">${s('page.when')}</th><th scope="col">${s('page.decision')}</th></tr></thead>
<tbody>${RETENTION_RULES.map(ruleRow)}</tbody></table>
<p><a href="/programme/settings/retention">${s('page.changeRules')}</a></p>
<h2>${s('page.archiveHeading')}</h2>
<p>${
        view.archive
          ? s(view.archive.keepUntilDelivered ? 'page.archiveKept' : 'page.archiveNotKept', {
              name: view.archive.recordsCreator.name,
              code: view.archive.classificationCode,
            })
          : s('settings.archive.none')
      }</p>
<p><a href="/programme/settings/archive">${s('page.changeArchive')}</a></p>
<h2>${s('page.runsHeading')}</h2>
${
  runs.length === 0
    ? html`<p>${s('page.noRuns')}</p>`
    : html`<table><thead><tr><th scope="col">${s('page.ranAt')}</th><th scope="col">${s('page.rule')}</th><th scope="col">${s('page.decision')}</th><th scope="col">${s('page.removed')}</th></tr></thead>
<tbody>${runs.map(
        (run) => html`<tr><td data-label="${s('page.ranAt')}">${dateTime(lang, run.ranAt)}</td>
<td data-label="${s('page.rule')}">${s(`settings.${run.rule}.group`)}</td>
<td data-label="${s('page.decision')}">${run.decision}</td>
<td data-label="${s('page.removed')}">${removedText(lang, run)}</td></tr>`,
      )}</tbody></table>`
}
<h2>${s('page.runHeading')}</h2>
<p>${s('page.runIntro')}</p>
<form method="post" action="/programme/retention/run" novalidate>
${csrfInput(request)}
<div class="button-group"><button type="submit">${s('page.runButton')}</button></div>
</form>`;
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.post(
    '/programme/retention/run',
    { schema: { hide: true } },
    administrator(async (_request, reply, actor, programmeId) => {
      const { runs } = await retention.runNow(actor, programmeId);
      const removed = runs.reduce((n, r) => n + r.removed, 0);
      return reply.redirect(`/programme/retention?done=ran&removed=${removed}`, 303);
    }),
  );
};
