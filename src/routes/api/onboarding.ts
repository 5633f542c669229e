import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../machines/roles.js';
import { requireActor, requireRole } from '../../http/auth.js';
import { programmesWhere } from '../../people/actor.js';
import type { Links } from '../../people/links.js';
import type { Onboarding } from '../../people/onboarding.js';
import { accountMadeSchema, invitationSentSchema, invitationListSchema, mailSentSchema, passwordChangedSchema } from './answers.js';
import { answers } from './schemas.js';

export interface OnboardingRouteDeps {
  onboarding: Onboarding;
  links: Pick<Links, 'pendingInvitations'>;
}

const email = z.email().max(254);
const token = z.string().min(20).max(200).describe('the token of the e-mail’s link');
const account = { displayName: z.string().max(200), password: z.string().max(1024), language: z.enum(['sv', 'en']).optional() };

/**
 * Getting in without anyone at the server: invitations (by an administrator), registration
 * (an initiator with a work address) and a forgotten password. Asking answers the same
 * whether or not the address has an account; the e-mail's one-time link does the rest.
 */
export const onboardingRoutes: FastifyPluginAsyncZod<OnboardingRouteDeps> = async (app, { onboarding, links }) => {
  app.post(
    '/invitations',
    {
      schema: {
        tags: ['people'],
        summary:
          'Invite someone by e-mail to roles in a programme the caller administers; the same answer whether or not the address has an account',
        body: z.object({ email, programmeId: z.string().max(64), roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length) }).strict(),
        response: answers({ 202: invitationSentSchema }, 401, 403, 404, 422, 429),
      },
      preValidation: requireRole('administrator'),
    },
    async (request, reply) => reply.code(202).send(onboarding.invite(request.actor!, request.body, request.ip)),
  );

  app.post(
    '/cases/:id/invitations',
    {
      schema: {
        tags: ['cases'],
        summary: 'Bring a co-writer into a case by e-mail: an invitation, the same answer whether or not the address has an account',
        description: 'For those who may add a participant to the case now. The person is in the case once they accept.',
        params: z.object({ id: z.uuid() }).strict(),
        body: z.object({ email }).strict(),
        response: answers({ 202: invitationSentSchema }, 401, 403, 404, 422, 429),
      },
      preValidation: requireActor,
    },
    async (request, reply) =>
      reply.code(202).send(onboarding.inviteToCase(request.actor!, request.params.id, request.body.email, request.ip)),
  );

  app.get(
    '/invitations',
    {
      schema: {
        tags: ['people'],
        summary: 'Invitations not yet accepted nor expired, of the programmes the caller administers',
        querystring: z.object({ programme: z.string().max(64).optional() }).strict(),
        response: answers({ 200: invitationListSchema }, 401, 403, 422),
      },
      preValidation: requireRole('administrator'),
    },
    async (request) => ({
      items: links.pendingInvitations(
        programmesWhere(request.actor!, 'administrator').filter((p) => !request.query.programme || p === request.query.programme),
      ),
    }),
  );

  app.post(
    '/invitations/accept',
    {
      schema: {
        tags: ['people'],
        summary: 'Accept an invitation: an address with an account gets the roles; a new one makes its account with a name and password',
        security: [],
        body: z
          .object({ token, displayName: account.displayName.optional(), password: account.password.optional(), language: account.language })
          .strict(),
        response: answers({ 200: accountMadeSchema }, 410, 422),
      },
      config: { csrf: false },
    },
    async (request) => {
      const { token: t, displayName, password, language } = request.body;
      const result = await onboarding.acceptInvitation(
        t,
        displayName !== undefined || password !== undefined
          ? { displayName: displayName ?? '', password: password ?? '', language }
          : undefined,
      );
      return { newAccount: result.newAccount };
    },
  );

  app.post(
    '/registrations',
    {
      schema: {
        tags: ['people'],
        summary:
          'Register as an initiator with a work address the programme takes; a link to confirm it is e-mailed (the same answer if the address has an account)',
        security: [],
        body: z.object({ email, programmeId: z.string().max(64) }).strict(),
        response: answers({ 202: mailSentSchema }, 404, 422, 429),
      },
      config: { csrf: false },
    },
    async (request, reply) => reply.code(202).send(onboarding.register(request.body.email, request.body.programmeId, request.ip)),
  );

  app.post(
    '/registrations/confirm',
    {
      schema: {
        tags: ['people'],
        summary: 'Confirm a registration by its link: the account, with a name and password',
        security: [],
        body: z.object({ token, ...account }).strict(),
        response: answers({ 201: accountMadeSchema }, 410, 422),
      },
      config: { csrf: false },
    },
    async (request, reply) => {
      const { token: t, ...rest } = request.body;
      const result = await onboarding.confirmRegistration(t, rest);
      return reply.code(201).send({ newAccount: result.newAccount });
    },
  );

  app.post(
    '/password-resets',
    {
      schema: {
        tags: ['people'],
        summary: 'Forgot the password: a link to choose a new one is e-mailed if the address has an account (the same answer either way)',
        security: [],
        body: z.object({ email }).strict(),
        response: answers({ 202: mailSentSchema }, 422, 429),
      },
      config: { csrf: false, beforePasswordChange: true },
    },
    async (request, reply) => reply.code(202).send(onboarding.requestPasswordReset(request.body.email, request.ip)),
  );

  app.post(
    '/password-resets/complete',
    {
      schema: {
        tags: ['people'],
        summary: 'Choose a new password by the link of a reset; every session of the person ends',
        security: [],
        body: z.object({ token, password: account.password }).strict(),
        response: answers({ 200: passwordChangedSchema }, 410, 422),
      },
      config: { csrf: false, beforePasswordChange: true },
    },
    async (request) => onboarding.completePasswordReset(request.body.token, request.body.password),
  );
};
