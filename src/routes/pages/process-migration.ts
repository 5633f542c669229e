import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ProcessMigration } from '../../cases/migration.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import type { Actor } from '../../people/actor.js';
import { firstText } from '../../web/forms.js';
import { html } from '../../web/html.js';
import { backLink, confirmForm, errorSummary, notice } from '../../web/questions.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * The versions of the process, for a programme's administrator (issue 18): the versions with
 * the running cases on each, the dry run of moving the cases of earlier versions to the latest
 * as a table (where each case is now, where it would land, or why it cannot move), a choice of
 * cases, a page to check the move before it is made (it cannot be undone), and a notice after.
 * The cases are named by diary number and title, their place by the step in words.
 */

export interface ProcessMigrationPageDeps {
  processMigration: ProcessMigration;
}

const PATH = '/programme/process';

/** A chosen case as the form carries it: its id and the version the dry run showed. */
const parseChoice = (value: string) => {
  const match = /^([0-9a-f-]{36}):(\d{1,9})$/.exec(value);
  return match ? { caseId: match[1]!, version: Number(match[2]) } : undefined;
};

export const processMigrationPages: FastifyPluginAsync<ProcessMigrationPageDeps> = async (pages, { processMigration }) => {
  const text = (lang: Language) => (key: string, params?: Record<string, string | number>) =>
    t(lang, `processMigration.page.${key}`, params);

  const administrator = (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor, programmeId: string) => unknown) =>
    loggedIn((request, reply, actor) => {
      const programme = request.pageProgramme;
      if (!programme || !programme.roles.includes('administrator')) return errorPage(request, reply, 403);
      return handler(request, reply, actor, programme.id);
    });

  /** The overview and the dry run; `chosen` and `problem` when a choice is shown again. */
  function overview(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    programmeId: string,
    o: { problem?: string; status?: number } = {},
  ) {
    const lang = requestLanguage(request);
    const s = text(lang);
    const { versions } = processMigration.versions(actor, programmeId);
    const latest = versions.at(-1)!.version;
    const run = processMigration.dryRun(actor, programmeId, latest, lang);
    const earlier = run.cases.filter((c) => c.machineVersion < latest);
    const query = request.query as Record<string, unknown>;
    const done = Number(firstText(query.done));
    const title = s('title');
    const body = html`${notice(done > 0 ? s('doneTitle') + '. ' + s('doneText', { count: done, version: Number(firstText(query.to)) || latest }) : undefined)}
<h1>${title}</h1>
<p>${s('intro')}</p>
<table><caption>${s('versionsCaption')}</caption>
<thead><tr><th scope="col">${s('version')}</th><th scope="col">${s('runningCases')}</th><th scope="col">${s('newCases')}</th></tr></thead>
<tbody>${versions.map(
      (v) =>
        html`<tr><td data-label="${s('version')}">${s('versionN', { version: v.version })}</td><td data-label="${s('runningCases')}">${String(v.runningCases)}</td><td data-label="${s('newCases')}">${v.current ? s('newCasesHere') : '–'}</td></tr>`,
    )}</tbody></table>
<h2>${s('dryRunTitle', { version: latest })}</h2>
<p>${s('dryRunIntro')}</p>
${
  earlier.length === 0
    ? html`<p>${s('noneToMove')}</p>`
    : html`<p>${s('movable', { count: earlier.filter((c) => c.movable).length, notMovable: earlier.filter((c) => !c.movable).length })}</p>
<form method="post" action="${PATH}/check" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
<input type="hidden" name="to" value="${String(latest)}">
${errorSummary(lang, 'choice-errors', o.problem ? [{ field: 'cases', label: s('choose'), message: o.problem }] : [])}
<fieldset id="cases" aria-describedby="cases-hint"><legend>${s('choose')}</legend>
<p class="help" id="cases-hint">${s('chooseHint')}</p>
<table><caption class="visually-hidden">${s('tableCaption')}</caption>
<thead><tr><th scope="col">${s('select')}</th><th scope="col">${s('diaryNumber')}</th><th scope="col">${s('caseTitle')}</th><th scope="col">${s('onVersion')}</th><th scope="col">${s('now')}</th><th scope="col">${s('lands')}</th></tr></thead>
<tbody>${earlier.map(
        (c, i) => html`<tr>
<td data-label="${s('select')}">${
          c.movable
            ? html`<div class="choice"><input type="checkbox" id="case-${String(i)}" name="case" value="${c.caseId}:${String(c.version)}" checked><label for="case-${String(i)}"><span class="visually-hidden">${s('selectCase', { diaryNumber: c.diaryNumber })}</span></label></div>`
            : '–'
        }</td>
<td data-label="${s('diaryNumber')}"><a href="/cases/${c.caseId}">${c.diaryNumber}</a></td>
<td data-label="${s('caseTitle')}">${c.title}</td>
<td data-label="${s('onVersion')}">${String(c.machineVersion)}</td>
<td data-label="${s('now')}">${c.stepText}</td>
<td data-label="${s('lands')}">${
          c.movable
            ? html`${c.stepTextAfter ?? ''}${c.filledIn.length ? html`<br><span class="meta">${s('filledIn', { what: c.filledIn.join(', ') })}</span>` : ''}`
            : html`<strong>${s('cannotMove')}:</strong> ${c.reason?.message ?? ''}`
        }</td></tr>`,
      )}</tbody></table></fieldset>
<div class="button-group"><button type="submit">${s('continue')}</button></div>
</form>`
}`;
    return sendPage(request, reply, { title, body, status: o.status, path: PATH });
  }

  pages.get(
    PATH,
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => overview(request, reply, actor, programmeId)),
  );

  /** The chosen cases and the version, as posted. */
  function choiceOf(body: Record<string, unknown>) {
    const values = ([] as unknown[]).concat(body.case ?? []).map((v) => firstText(v));
    const chosen = values.map(parseChoice).filter((c): c is { caseId: string; version: number } => c !== undefined);
    const to = Number(firstText(body.to));
    return { chosen, to: Number.isInteger(to) && to > 0 ? to : undefined };
  }

  pages.post(
    `${PATH}/check`,
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const s = text(lang);
      const { chosen, to } = choiceOf((request.body ?? {}) as Record<string, unknown>);
      if (chosen.length === 0 || to === undefined)
        return overview(request, reply, actor, programmeId, { problem: s('noneChosen'), status: 422 });
      const run = processMigration.dryRun(actor, programmeId, to, lang);
      const byId = new Map(run.cases.map((c) => [c.caseId, c]));
      const cases = chosen.map((c) => byId.get(c.caseId)).filter((c) => c !== undefined);
      const title = s('checkTitle');
      const body = html`${backLink(PATH, s('changeChoice'))}<h1>${title}</h1>
<dl class="summary-list">
<div class="summary-row"><dt>${s('checkTo')}</dt><dd>${s('versionN', { version: to })}</dd></div>
<div class="summary-row"><dt>${s('checkCount')}</dt><dd>${String(chosen.length)}</dd></div>
<div class="summary-row"><dt>${s('checkCases')}</dt><dd><ul class="plain">${cases.map((c) => html`<li>${c.diaryNumber} ${c.title}: ${c.stepText}</li>`)}</ul></dd></div>
</dl>
<div class="alert" role="note"><p><strong>${s('warning')}:</strong> ${s('cannotBeUndone')}</p></div>
${confirmForm({
  lang,
  csrfToken: request.csrfToken ?? '',
  action: `${PATH}/migrate`,
  hidden: { to: String(to), case: chosen.map((c) => `${c.caseId}:${c.version}`) },
  button: s('confirm'),
  cancelHref: PATH,
  cancel: s('changeChoice'),
})}`;
      return sendPage(request, reply, { title, body, path: PATH });
    }),
  );

  pages.post(
    `${PATH}/migrate`,
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const s = text(lang);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const { chosen, to } = choiceOf(body);
      if (chosen.length === 0 || to === undefined || firstText(body.confirm) !== 'yes') {
        return overview(request, reply, actor, programmeId, { problem: s('noneChosen'), status: 422 });
      }
      try {
        const done = processMigration.migrate(
          actor,
          programmeId,
          {
            toVersion: to,
            caseIds: chosen.map((c) => c.caseId),
            expectedVersions: Object.fromEntries(chosen.map((c) => [c.caseId, c.version])),
          },
          lang,
        );
        return reply.redirect(`${PATH}?done=${done.moved.length}&to=${to}`, 303);
      } catch (error) {
        const refused =
          error instanceof DomainError && error.code === 'conflict'
            ? (error.details.cases as { diaryNumber?: string; message: string }[])
            : undefined;
        if (!refused) throw error;
        const title = s('refusedTitle');
        const page = html`${backLink(PATH, s('backToVersions'))}<h1>${title}</h1>
<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="refused"><p>${s('refusedIntro')}</p>
<ul>${refused.map((c) => html`<li>${c.diaryNumber ?? '–'}: ${c.message}</li>`)}</ul></div>
<p><a href="${PATH}">${s('backToVersions')}</a></p>`;
        return sendPage(request, reply, { title, body: page, status: 409, path: PATH });
      }
    }),
  );
};
