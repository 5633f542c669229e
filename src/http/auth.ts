import '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../machines/roles.js';
import { belongsTo, programmesWhere, rolesIn, type Actor } from '../people/actor.js';
import type { PeopleService } from '../people/service.js';
import { DomainError } from '../errors.js';

export const SESSION_COOKIE = 'satsa_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that start a session (log-in) need no session CSRF token: they have none yet. */
    csrf?: false;
    /** Open to a person who must still choose a new password (log-in, log-out, who am I, the change itself). */
    beforePasswordChange?: true;
  }
  interface FastifyRequest {
    actor?: Actor;
    /** How the caller authenticated; cookie sessions need a CSRF token on unsafe requests. */
    authMethod?: 'session' | 'token';
    csrfToken?: string;
    /** The programme chosen in the session for the pages (see src/routes/pages/), if any. */
    sessionProgrammeId?: string | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller from `Authorization: Bearer …` or the session cookie. Cookie-based
 * requests that change something must echo the session's CSRF token in `X-CSRF-Token`
 * (or the `_csrf` form field), so another site cannot post on a user's behalf.
 */
export function registerAuthentication(app: FastifyInstance, people: PeopleService) {
  app.decorateRequest('actor', undefined);
  app.decorateRequest('authMethod', undefined);
  app.decorateRequest('csrfToken', undefined);
  app.decorateRequest('sessionProgrammeId', undefined);
  app.addHook('preValidation', async (request) => {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const actor = people.tokenActor(header.slice('Bearer '.length).trim());
      if (!actor) throw new DomainError('unauthenticated', 'the bearer token is not valid');
      request.actor = actor;
      request.authMethod = 'token';
      requirePasswordChosen(request);
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const session = people.sessionActor(cookie);
    if (!session) return;
    request.actor = session.actor;
    request.authMethod = 'session';
    request.csrfToken = session.csrfToken;
    request.sessionProgrammeId = session.programmeId;
    if (!SAFE_METHODS.has(request.method) && request.routeOptions.config.csrf !== false) {
      const body = request.body as { _csrf?: unknown } | undefined;
      const sent = request.headers['x-csrf-token'] ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
      if (sent !== session.csrfToken) throw new DomainError('csrf-token-invalid', 'send the X-CSRF-Token from the log-in response');
    }
    requirePasswordChosen(request);
  });
}

/**
 * A person whose password someone else chose (the demo's, say) must choose their own before
 * anything but the routes marked `beforePasswordChange` (the pages send them to the form).
 */
function requirePasswordChosen(request: FastifyRequest) {
  if (request.actor?.passwordChangeRequired && request.routeOptions.config.beforePasswordChange !== true) {
    throw new DomainError('password-change-required', 'choose a new password first: POST /api/me/password');
  }
}

/** preValidation: the route needs a logged-in caller (checked before the body is validated). */
export async function requireActor(request: FastifyRequest, _reply: FastifyReply) {
  if (!request.actor) throw new DomainError('unauthenticated', 'log in, or send a bearer token');
}

/**
 * preValidation factory: the route needs one of these roles, in some programme. What it may
 * do then is decided per programme: with `requireRoleIn` for a programme it names, or by
 * limiting its work to `programmesWhere(actor, ...roles)`.
 */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    await requireActor(request, reply);
    if (programmesWhere(request.actor!, ...roles).length === 0) {
      throw new DomainError('forbidden', `this needs one of the roles: ${roles.join(', ')}`);
    }
  };
}

/** The caller holds one of `roles` in the programme (which they belong to: see requireOwnProgramme). */
export function requireRoleIn(request: FastifyRequest, programmeId: string, ...roles: Role[]) {
  requireOwnProgramme(request, programmeId);
  if (!rolesIn(request.actor!, programmeId).some((r) => roles.includes(r))) {
    throw new DomainError('forbidden', `this needs one of the roles: ${roles.join(', ')}`, { roles });
  }
}

/**
 * Sets the session cookie: HttpOnly, SameSite=Strict, Secure when configured. It lives as long as the session, counted by the browser from now (Max-Age),
 * so a browser whose clock differs from the server's keeps it for the right time.
 */
export function setSessionCookie(reply: FastifyReply, session: { token: string }, hours: number, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: Math.round(hours * 3600),
  });
}

/** A programme the caller holds a role in, or 404: another programme is not even confirmed to exist. */
export function requireOwnProgramme(request: FastifyRequest, programmeId: string) {
  if (!request.actor || !belongsTo(request.actor, programmeId)) throw new DomainError('not-found', `no programme ${programmeId}`);
}
