import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CaseService } from '../../cases/service.js';
import { guestInvitationSchema, newCommentSchema, type Conversation } from '../../conversation/service.js';
import type { GroupCommit } from '../../db/group-commit.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t } from '../../i18n/index.js';
import type { Onboarding } from '../../people/onboarding.js';
import {
  commentForm,
  guestCheckPage,
  guestInvitePage,
  type CommentFormState,
  type ForumParty,
  type GuestForm,
} from '../../web/conversation.js';
import { firstText } from '../../web/forms.js';
import { html } from '../../web/html.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * The conversation's forms: writing a comment, following a case or not, and inviting a guest
 * (who, then a check before the invitation goes). Each posts with the session's CSRF token and
 * goes back to the case page, to its conversation.
 */

export interface ConversationPageDeps {
  conversation: Conversation;
  cases: Pick<CaseService, 'get'>;
  onboarding: Pick<Onboarding, 'inviteGuest'>;
  commits: GroupCommit;
}

const caseIdOf = (request: FastifyRequest) => {
  const params = z.object({ id: z.uuid() }).safeParse(request.params);
  if (!params.success) throw new DomainError('not-found', 'no such page');
  return params.data.id;
};
const field = (body: unknown, name: string) => firstText((body as Record<string, unknown> | undefined)?.[name]);

export const conversationPages: FastifyPluginAsync<ConversationPageDeps> = async (pages, { conversation, cases, onboarding, commits }) => {
  pages.post(
    '/cases/:id/comments',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const id = caseIdOf(request);
      const lang = requestLanguage(request);
      const body = field(request.body, 'body');
      const visibility = field(request.body, 'visibility');
      const parsed = newCommentSchema.safeParse({ body, visibility });
      if (!parsed.success) {
        const errors: CommentFormState['errors'] = [];
        for (const issue of parsed.error.issues) {
          const name = issue.path[0] === 'visibility' ? 'visibility' : 'body';
          if (errors.some((e) => e.field === name)) continue;
          errors.push({
            field: name,
            message:
              name === 'visibility'
                ? t(lang, 'conversation.errors.visibility')
                : t(lang, body.trim().length > 0 ? 'conversation.errors.bodyTooLong' : 'conversation.errors.body'),
          });
        }
        const view = cases.get(actor, id, lang);
        const staff = conversation.list(actor, id, lang).canWriteInternal;
        return sendPage(request, reply, {
          title: t(lang, 'conversation.write'),
          status: 422,
          path: `/cases/${id}`,
          body: html`<p><a href="/cases/${id}">${t(lang, 'guests.backToCase')}</a></p><h1>${t(lang, 'conversation.write')}</h1><p class="meta">${view.title}</p>
${commentForm(lang, id, request.csrfToken ?? '', staff, { body, visibility, errors })}`,
        });
      }
      try {
        await commits.run(() => conversation.add(actor, id, parsed.data));
      } catch (error) {
        if (error instanceof DomainError && error.code === 'forbidden') return errorPage(request, reply, 403);
        throw error;
      }
      return reply.redirect(`/cases/${id}?done=comment#conversation`, 303);
    }),
  );

  pages.post(
    '/cases/:id/following',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const id = caseIdOf(request);
      const following = field(request.body, 'following') === 'true';
      await commits.run(() => conversation.setFollowing(actor, id, following, requestLanguage(request)));
      return reply.redirect(`/cases/${id}?done=${following ? 'following' : 'unfollowing'}#conversation`, 303);
    }),
  );

  // ---- inviting a guest: who, a check, then the invitation -------------------------------

  const formOf = (body: unknown): GuestForm => ({
    email: field(body, 'email').trim(),
    name: field(body, 'name').trim(),
    organisation: field(body, 'organisation').trim(),
    errors: [],
  });

  /** The case's title, if the actor may invite guests to it; a refusal page otherwise. */
  function inviter(request: FastifyRequest, reply: FastifyReply, id: string) {
    const actor = request.actor!;
    const lang = requestLanguage(request);
    const view = cases.get(actor, id, lang);
    if (!conversation.mayInviteGuests(actor, id)) return { refused: errorPage(request, reply, 403) };
    // The outside parties the dialogue forum named (user organisations, identified actors), offered as organisations.
    const record = (view.data as { dialogueForum?: { record?: { attendance?: { role: string; organisation?: string }[] } } }).dialogueForum
      ?.record;
    const named = (record?.attendance ?? [])
      .filter((a) => a.organisation && ['user-organisation', 'identified-actors'].includes(a.role))
      .map((a) => ({ organisation: a.organisation!, role: t(lang, `forumRoles.${a.role}`) }));
    return { title: view.title, named };
  }

  const invitePage = (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    allowed: { title: string; named: ForumParty[] },
    form: GuestForm,
    status = 200,
  ) => {
    const lang = requestLanguage(request);
    return sendPage(request, reply, {
      title: t(lang, 'guests.inviteTitle'),
      status,
      path: `/cases/${id}/guests/new`,
      body: guestInvitePage(lang, allowed.title, id, request.csrfToken ?? '', form, allowed.named),
    });
  };

  pages.get(
    '/cases/:id/guests/new',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      const id = caseIdOf(request);
      const allowed = inviter(request, reply, id);
      if ('refused' in allowed) return allowed.refused;
      return invitePage(request, reply, id, allowed, formOf({}));
    }),
  );

  pages.post(
    '/cases/:id/guests/new',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      const id = caseIdOf(request);
      const allowed = inviter(request, reply, id);
      if ('refused' in allowed) return allowed.refused;
      return invitePage(request, reply, id, allowed, formOf(request.body));
    }),
  );

  /** The typed invitation checked; every failing field named. */
  function checked(request: FastifyRequest): GuestForm {
    const lang = requestLanguage(request);
    const form = formOf(request.body);
    const parsed = guestInvitationSchema.safeParse({
      email: form.email,
      ...(form.name ? { name: form.name } : {}),
      ...(form.organisation ? { organisation: form.organisation } : {}),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const name = issue.path[0] as GuestForm['errors'][number]['field'];
        if (form.errors.some((e) => e.field === name)) continue;
        form.errors.push({ field: name, message: t(lang, name === 'email' ? 'guests.errors.email' : 'guests.errors.long') });
      }
    }
    return form;
  }

  pages.post(
    '/cases/:id/guests/check',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      const id = caseIdOf(request);
      const allowed = inviter(request, reply, id);
      if ('refused' in allowed) return allowed.refused;
      const form = checked(request);
      if (form.errors.length) return invitePage(request, reply, id, allowed, form, 422);
      const lang = requestLanguage(request);
      return sendPage(request, reply, {
        title: t(lang, 'guests.check'),
        path: `/cases/${id}/guests/new`,
        body: guestCheckPage(lang, allowed.title, id, request.csrfToken ?? '', form),
      });
    }),
  );

  pages.post(
    '/cases/:id/guests',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const id = caseIdOf(request);
      const allowed = inviter(request, reply, id);
      if ('refused' in allowed) return allowed.refused;
      const form = checked(request);
      if (form.errors.length) return invitePage(request, reply, id, allowed, form, 422);
      onboarding.inviteGuest(
        actor,
        id,
        { email: form.email, name: form.name || undefined, organisation: form.organisation || undefined },
        request.ip,
      );
      return reply.redirect(`/cases/${id}?done=guest#conversation`, 303);
    }),
  );
};
