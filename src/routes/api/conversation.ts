import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { followingChangeSchema, guestInvitationSchema, newCommentSchema, type Conversation } from '../../conversation/service.js';
import type { GroupCommit } from '../../db/group-commit.js';
import { requireActor } from '../../http/auth.js';
import { etagOf } from '../../http/conditional.js';
import { requestLanguage } from '../../http/language.js';
import type { Onboarding } from '../../people/onboarding.js';
import { commentAddedSchema, commentListSchema, followingSchema, guestListSchema, invitationSentSchema } from './answers.js';
import { answers, caseIdParams } from './schemas.js';

export interface ConversationRouteDeps {
  conversation: Conversation;
  onboarding: Pick<Onboarding, 'inviteGuest'>;
  commits: GroupCommit;
}

/**
 * The conversation on a case (comments shared with the case's people or internal to the
 * programme's staff), following a case, and its guests. Whoever does not see the case is
 * told there is no such case.
 */
export const conversationRoutes: FastifyPluginAsyncZod<ConversationRouteDeps> = async (app, { conversation, onboarding, commits }) => {
  app.get(
    '/cases/:id/comments',
    {
      schema: {
        tags: ['conversation'],
        summary: "The case's comments the caller may read, oldest first (internal ones for the programme's staff only)",
        params: caseIdParams,
        response: answers({ 200: commentListSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => conversation.list(request.actor!, request.params.id, requestLanguage(request)),
  );

  app.post(
    '/cases/:id/comments',
    {
      schema: {
        tags: ['conversation'],
        summary: 'Write a comment on the case; its followers are told by e-mail, with a link and never the text',
        description: "internal: for the programme's staff only (403 for anyone else). The case's version goes up; the new one is the ETag.",
        params: caseIdParams,
        body: newCommentSchema,
        response: answers({ 201: commentAddedSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const added = await commits.run(() => conversation.add(request.actor!, request.params.id, request.body));
      return reply.code(201).header('etag', etagOf(added.caseVersion)).send(added);
    },
  );

  app.get(
    '/cases/:id/following',
    {
      schema: {
        tags: ['conversation'],
        summary: 'Whether the caller follows the case (hears of new comments), and why',
        params: caseIdParams,
        response: answers({ 200: followingSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => conversation.following(request.actor!, request.params.id, requestLanguage(request)),
  );

  app.put(
    '/cases/:id/following',
    {
      schema: {
        tags: ['conversation'],
        summary: 'Follow the case, or stop following it: the caller’s own choice, over what they are to the case',
        params: caseIdParams,
        body: followingChangeSchema,
        response: answers({ 200: followingSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) =>
      commits.run(() => conversation.setFollowing(request.actor!, request.params.id, request.body.following, requestLanguage(request))),
  );

  app.get(
    '/cases/:id/guests',
    {
      schema: {
        tags: ['conversation'],
        summary: "The case's guests: by name and organisation (addresses and pending invitations for the programme's staff)",
        params: caseIdParams,
        response: answers({ 200: guestListSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request) => conversation.guests(request.actor!, request.params.id),
  );

  app.post(
    '/cases/:id/guests',
    {
      schema: {
        tags: ['conversation'],
        summary: 'Invite someone from outside to this one case, by e-mail; the same answer whether or not the address has an account',
        description:
          "For the programme's county coordinators and administrators. A guest sees the case only, comments and attaches documents.",
        params: caseIdParams,
        body: guestInvitationSchema,
        response: answers({ 202: invitationSentSchema }, 401, 403, 404, 422, 429),
      },
      preValidation: requireActor,
    },
    async (request, reply) => reply.code(202).send(onboarding.inviteGuest(request.actor!, request.params.id, request.body, request.ip)),
  );
};
