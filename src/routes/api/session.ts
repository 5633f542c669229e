import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SESSION_COOKIE, requireActor, setSessionCookie } from '../../http/auth.js';
import { TOKEN_DAYS, type Account } from '../../people/account.js';
import type { PeopleService } from '../../people/service.js';
import { meSchema, passwordChangedSchema, sessionListSchema, sessionSchema, tokenCreatedSchema, tokenListSchema } from './answers.js';
import { answers, noContent } from './schemas.js';

export interface SessionRouteDeps {
  account: Account;
  people: Pick<PeopleService, 'createSession' | 'endSession'>;
  sessionHours: number;
  cookieSecure: boolean;
}

/** What the API says of the logged-in user. */
const me = (request: FastifyRequest) => {
  const a = request.actor!;
  return {
    id: a.id,
    email: a.email,
    displayName: a.displayName,
    language: a.language,
    passwordChangeRequired: a.passwordChangeRequired,
    programmes: a.memberships,
  };
};

/** The caller's own session cookie, if they came with one (kept when they end their other sessions). */
const ownSession = (request: FastifyRequest) => (request.authMethod === 'session' ? request.cookies[SESSION_COOKIE] : undefined);

/** Logging in and out over the API, who is logged in, and one's own password, sessions and tokens. */
export const sessionRoutes: FastifyPluginAsyncZod<SessionRouteDeps> = async (app, { account, people, sessionHours, cookieSecure }) => {
  app.post(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with e-mail and password; sets an HttpOnly session cookie',
        description:
          'After a few failed attempts for one account from one address, each further attempt from that address waits longer ' +
          '(up to 15 minutes): 429 with Retry-After, even with the right password.',
        body: z.object({ email: z.string().max(254), password: z.string().max(1024) }).strict(),
        response: answers({ 200: sessionSchema }, 401, 422, 429),
      },
      config: { csrf: false, beforePasswordChange: true },
    },
    async (request, reply) => {
      const actor = await account.logIn(request.body.email, request.body.password, request.ip);
      const session = people.createSession(actor.id, sessionHours);
      setSessionCookie(reply, session, sessionHours, cookieSecure);
      request.actor = actor;
      return { user: me(request), csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    },
  );

  app.delete(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out',
        response: answers({ 204: noContent('Logged out: the session cookie is cleared') }, 401),
      },
      config: { csrf: false, beforePasswordChange: true },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) people.endSession(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/me',
    {
      schema: { tags: ['session'], summary: 'The logged-in user', response: answers({ 200: meSchema }, 401) },
      preValidation: requireActor,
      config: { beforePasswordChange: true },
    },
    async (request) => me(request),
  );

  app.post(
    '/me/password',
    {
      schema: {
        tags: ['session'],
        summary: 'Change one’s own password; every other session of the person ends',
        body: z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }).strict(),
        response: answers({ 200: passwordChangedSchema }, 401, 403, 422),
      },
      preValidation: requireActor,
      config: { beforePasswordChange: true },
    },
    async (request) => account.changePassword(request.actor!, request.body.currentPassword, request.body.newPassword, ownSession(request)),
  );

  app.get(
    '/me/sessions',
    {
      schema: {
        tags: ['session'],
        summary: 'One’s own sessions (log-ins) that have not ended',
        response: answers({ 200: sessionListSchema }, 401, 403),
      },
      preValidation: requireActor,
    },
    async (request) => account.sessions(request.actor!, ownSession(request)),
  );

  app.delete(
    '/me/sessions/:id',
    {
      schema: {
        tags: ['session'],
        summary: 'End one of one’s own sessions',
        params: z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, 'a session id as GET /api/me/sessions gives it') }).strict(),
        response: answers({ 204: noContent('The session has ended') }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      account.endSession(request.actor!, request.params.id);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/me/sessions',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out everywhere: every session of the person ends, but the one of this request',
        response: answers({ 200: passwordChangedSchema }, 401, 403),
      },
      preValidation: requireActor,
    },
    async (request) => account.endAllSessions(request.actor!, ownSession(request)),
  );

  app.get(
    '/me/tokens',
    {
      schema: {
        tags: ['session'],
        summary: 'One’s own personal API tokens (never the tokens themselves)',
        response: answers({ 200: tokenListSchema }, 401, 403),
      },
      preValidation: requireActor,
    },
    async (request) => account.tokens(request.actor!),
  );

  app.post(
    '/me/tokens',
    {
      schema: {
        tags: ['session'],
        summary: 'Make a personal API token; it is shown once, and expires',
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            expiresInDays: z.number().int().min(1).max(TOKEN_DAYS.max).default(TOKEN_DAYS.default),
          })
          .strict(),
        response: answers({ 201: tokenCreatedSchema }, 401, 403, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => reply.code(201).send(account.createToken(request.actor!, request.body.name, request.body.expiresInDays)),
  );

  app.delete(
    '/me/tokens/:id',
    {
      schema: {
        tags: ['session'],
        summary: 'Revoke one of one’s own API tokens',
        params: z.object({ id: z.uuid() }).strict(),
        response: answers({ 204: noContent('The token is revoked') }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      account.revokeToken(request.actor!, request.params.id);
      return reply.code(204).send();
    },
  );
};
