import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CaseContext } from '../../../machines/case/context.js';
import type { Drafts } from '../../cases/drafts.js';
import type { CaseService, CaseView } from '../../cases/service.js';
import type { GroupCommit } from '../../db/group-commit.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { STATUS_OF } from '../../http/problem.js';
import { inProgrammeWords, t, type Language } from '../../i18n/index.js';
import type { Actor } from '../../people/actor.js';
import { wordsOf } from '../../programmes/config.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { actionSetup } from '../../web/actions.js';
import type { SafeHtml } from '../../web/html.js';
import { formErrors, formValues, parseForm, postedFields, type FormErrors, type FormValues } from '../../web/forms.js';
import {
  checkPage,
  earlierOf,
  overviewPage,
  partById,
  partnerRows,
  partOfField,
  partPage,
  partSchema,
  payloadOf,
  prefill,
  PROPOSAL_PARTS,
  rebase,
  valuesOf,
  withPart,
  type CheckProblem,
  type ProposalPart,
} from '../../web/proposal-pages.js';
import { loggedIn, sendPage } from './reply.js';

/*
 * The proposal written as short question pages: an overview of its parts, a page per part
 * ("Spara och fortsätt" saves into the writer's own draft), and a page to check the answers,
 * whose button sends UPDATE_PROPOSAL through the case service as the case page's form did
 * (one transaction, at the case's current version, after checking that nobody changed the
 * proposal since the draft started). The draft is the writer's alone and survives log-out.
 */

export interface ProposalPageDeps {
  cases: Pick<CaseService, 'get'>;
  drafts: Drafts;
  commits: GroupCommit;
  programmes: Pick<ProgrammeService, 'get' | 'forCase'>;
}

const EVENT = 'UPDATE_PROPOSAL';

function paramsOf(request: FastifyRequest): { id: string; part: string } {
  const params = z.object({ id: z.string().max(100), part: z.string().max(64).default('') }).safeParse(request.params);
  if (!params.success) throw new DomainError('not-found', 'no such page');
  return params.data;
}

export const proposalPages: FastifyPluginAsync<ProposalPageDeps> = async (pages, { cases, drafts, commits, programmes }) => {
  /** The case, what the caller may draft on it, and the proposal's form as the case is shown against. */
  function load(request: FastifyRequest, actor: Actor) {
    const { id, part } = paramsOf(request);
    const lang = requestLanguage(request);
    const view = cases.get(actor, id, lang);
    // Throws unless the caller may write the proposal now (their role, the case's step).
    const held = drafts.held(actor, view.id, EVENT);
    const answered = (view.data as { ideaTemplate?: { at: string } }).ideaTemplate?.at;
    const { config, template } = programmes.forCase(view.programmeId, view.programmeVersion, answered);
    const context = view.data as CaseContext;
    const setup = actionSetup(EVENT, { lang, config, template, context, candidates: 'by-email' });
    const draft = drafts.read(actor, view.id, EVENT);
    const values = (): FormValues => (draft ? { ...(draft.values as FormValues) } : prefill(setup, context, template));
    const base = { lang, csrfToken: request.csrfToken ?? '', view, setup };
    return { id: view.id, part, lang, view, held, setup, draft, values, base, template };
  }

  function send(
    request: FastifyRequest,
    reply: FastifyReply,
    view: CaseView,
    page: { title: string; body: SafeHtml },
    status = 200,
    path?: string,
  ) {
    return sendPage(request, reply, { title: page.title, body: page.body, status, path: path ?? `/cases/${view.id}/proposal` });
  }

  /** Pages speak of the bodies as the case's own programme names them. */
  const inWords = <T>(view: CaseView, render: () => T): T => inProgrammeWords(wordsOf(programmes.get(view.programmeId)!), render);

  const NOTICES: Record<string, string> = { discarded: 'proposalPages.notice.discarded', restarted: 'proposalPages.notice.restarted' };

  pages.get(
    '/cases/:id/proposal',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const l = load(request, actor);
      const done = (request.query as Record<string, unknown>).done;
      const notice = typeof done === 'string' && NOTICES[done] ? t(l.lang, NOTICES[done]) : undefined;
      const page = inWords(l.view, () => overviewPage({ ...l.base, proposal: l.held, draft: l.draft, notice }));
      return send(request, reply, l.view, page, 200, request.url);
    }),
  );

  // ---- the check-your-answers page -----------------------------------------------------

  /** Why the answers cannot be sent as they are, part by part (the schema's own checks). */
  function problemsOf(lang: Language, l: ReturnType<typeof load>, values: FormValues): CheckProblem[] {
    const out: CheckProblem[] = [];
    for (const part of PROPOSAL_PARTS) {
      const schema = partSchema(part);
      const { payload } = parseForm(schema, valuesOf(values, part.fields), l.setup.hints);
      const checked = schema.safeParse(payload);
      if (checked.success) continue;
      const errors = formErrors(lang, schema, checked.error.issues, payload, l.setup.hints);
      if (errors.size) out.push({ part, text: t(lang, 'proposalPages.check.partHasErrors', { count: errors.size }) });
    }
    return out;
  }

  function renderCheck(
    request: FastifyRequest,
    reply: FastifyReply,
    l: ReturnType<typeof load>,
    extra: { problems?: CheckProblem[]; notice?: string; status?: number } = {},
  ) {
    const values = l.values();
    const payload = payloadOf(l.setup, values);
    const staleness = l.draft ? drafts.changesSince(request.actor!, l.draft) : undefined;
    const stale = staleness && staleness.changed.length > 0 ? staleness : undefined;
    const problems = extra.problems ?? problemsOf(l.lang, l, values);
    const page = inWords(l.view, () => checkPage({ ...l.base, payload, problems, stale, notice: extra.notice }));
    return send(request, reply, l.view, page, extra.status ?? (stale ? 409 : 200), `/cases/${l.id}/proposal/check`);
  }

  pages.get(
    '/cases/:id/proposal/check',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => renderCheck(request, reply, load(request, actor))),
  );

  pages.post(
    '/cases/:id/proposal/check',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const l = load(request, actor);
      // A draft started before someone else changed the proposal is shown, never sent (checked again when sending).
      if (l.draft && drafts.changesSince(actor, l.draft).changed.length > 0) return renderCheck(request, reply, l, { status: 409 });
      const values = l.values();
      const problems = problemsOf(l.lang, l, values);
      if (problems.length) return renderCheck(request, reply, l, { problems, status: 422 });
      const payload = payloadOf(l.setup, values);
      try {
        await commits.run(() => {
          // Answers never saved as a draft (the proposal and the idea's answers as they were) are sent as one.
          if (!l.draft) drafts.save(actor, l.id, EVENT, { values, parts: [] });
          return drafts.send(actor, l.id, EVENT, payload, l.lang);
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const status = STATUS_OF[error.code];
        switch (error.code) {
          case 'conflict':
            // Someone changed the proposal meanwhile: the page shows what, and sends nothing.
            return renderCheck(request, reply, load(request, actor), { status: 409 });
          case 'validation-failed': {
            // The programme's own rules (its years, its municipalities), by the part they are in.
            const byPart = new Map<ProposalPart, number>();
            for (const e of error.details.errors ?? []) {
              const part = partOfField(e.path.replace(/^payload\.?/, '').split('.')[0] ?? '');
              if (part) byPart.set(part, (byPart.get(part) ?? 0) + 1);
            }
            const found = [...byPart].map(([part, count]) => ({ part, text: t(l.lang, 'proposalPages.check.partHasErrors', { count }) }));
            return renderCheck(request, reply, l, {
              problems: found,
              notice: found.length ? undefined : t(l.lang, 'validation.invalid'),
              status,
            });
          }
          case 'budget-exceeds-pool':
            return renderCheck(request, reply, l, { notice: t(l.lang, 'problems.budget-exceeds-pool'), status });
          case 'event-not-accepted':
          case 'case-not-running':
            return renderCheck(request, reply, l, { notice: t(l.lang, 'web.notAccepted'), status });
          default:
            throw error;
        }
      }
      return reply.redirect(`/cases/${l.id}?done=${EVENT}`, 303);
    }),
  );

  pages.post(
    '/cases/:id/proposal/restart',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const l = load(request, actor);
      if (!l.draft) return reply.redirect(`/cases/${l.id}/proposal`, 303);
      const draft = l.draft;
      const { held } = drafts.changesSince(actor, draft);
      const next = rebase(l.setup, draft, held);
      await commits.run(() => drafts.restart(actor, l.id, EVENT, next));
      return reply.redirect(`/cases/${l.id}/proposal?done=restarted`, 303);
    }),
  );

  pages.post(
    '/cases/:id/proposal/discard',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const l = load(request, actor);
      await commits.run(() => drafts.discard(actor, l.id, EVENT));
      return reply.redirect(`/cases/${l.id}/proposal?done=discarded`, 303);
    }),
  );

  // ---- one page per part ---------------------------------------------------------------

  function renderPart(
    request: FastifyRequest,
    reply: FastifyReply,
    l: ReturnType<typeof load>,
    part: ProposalPart,
    values: FormValues,
    errors: FormErrors,
    status = 200,
  ) {
    const all = l.values();
    const page = inWords(l.view, () => partPage({ ...l.base, part, values, errors, earlier: earlierOf(all, part.fields) }));
    return send(request, reply, l.view, page, status, `/cases/${l.id}/proposal/${part.id}`);
  }

  pages.get(
    '/cases/:id/proposal/:part',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const l = load(request, actor);
      const part = partById(l.part);
      if (!part) throw new DomainError('not-found', 'no such part');
      const values = valuesOf(l.values(), part.fields);
      // The partners the idea named, until the writer has saved the participants of their own.
      if (
        part.id === 'participants' &&
        !l.draft?.parts.includes(part.id) &&
        !Object.keys(values).some((k) => k.startsWith('participants.'))
      )
        Object.assign(values, partnerRows(l.view.data as CaseContext, l.template));
      return renderPart(request, reply, l, part, values, new Map());
    }),
  );

  pages.post(
    '/cases/:id/proposal/:part',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const l = load(request, actor);
      const part = partById(l.part);
      if (!part) throw new DomainError('not-found', 'no such part');
      const posted = valuesOf(postedFields(request.body), part.fields);
      const schema = partSchema(part);
      const { payload, rows } = parseForm(schema, posted, l.setup.hints);
      const checked = schema.safeParse(payload);
      if (!checked.success) {
        return renderPart(
          request,
          reply,
          l,
          part,
          posted,
          formErrors(l.lang, schema, checked.error.issues, payload, l.setup.hints, rows),
          422,
        );
      }
      // Kept as the form shows it again: rows renumbered, amounts in kronor.
      const shown = formValues(schema, checked.data, l.setup.hints);
      const values = withPart(l.values(), part, shown);
      const parts = [...(l.draft?.parts ?? []), part.id];
      await commits.run(() => drafts.save(actor, l.id, EVENT, { values, parts }));
      const next = PROPOSAL_PARTS[PROPOSAL_PARTS.indexOf(part) + 1];
      return reply.redirect(next ? `/cases/${l.id}/proposal/${next.id}` : `/cases/${l.id}/proposal/check`, 303);
    }),
  );
};
