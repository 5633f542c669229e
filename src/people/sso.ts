import crypto from 'node:crypto';
import { eq, lte } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { OidcProvider } from '../config.js';
import type { Db } from '../db/client.js';
import { ssoTransactions } from '../db/schema.js';
import { DomainError } from '../errors.js';
import type { Language } from '../i18n/index.js';
import type { Log } from '../log.js';
import type { Actor } from './actor.js';
import type { Audit } from './audit.js';
import type { Onboarding } from './onboarding.js';
import type { PeopleService } from './service.js';

/*
 * Logging in through a region's or a municipality's own OpenID Connect provider
 * (SATSA_OIDC_PROVIDERS_FILE, src/config.ts): the authorisation code flow with PKCE, state and
 * nonce, by openid-client. A log-in under way is a row of sso_transactions, found by a random
 * key in a short-lived cookie and taken by the first answer, so it works once.
 *
 * The provider vouches for an e-mail address, and people are matched by it: an enabled
 * account is logged in; without one, the invitations pending to that address are accepted
 * and the account made with the name the provider gave and no password; anyone else has no
 * account. A provider vouches only for addresses in its own domains, and only for verified
 * ones unless it is trusted without `email_verified` (Microsoft Entra ID sends none by
 * default). Every log-in and every account made this way is in the audit.
 */

/** How long a log-in at the provider may take. */
export const SSO_MINUTES = 10;
const SCOPE = 'openid email profile';
/** How long a provider's discovery document is used before it is read again. */
const DISCOVERY_MS = 3_600_000;

export interface SingleSignOnDeps {
  db: Db;
  now: () => Date;
  providers: readonly OidcProvider[];
  /** Where people reach Satsa: each provider's redirect URI is <publicUrl>/login/sso/<id>/callback. */
  publicUrl: string;
  /** How Satsa reaches the providers: the platform's fetch unless given (tests give one that trusts their own CA). */
  fetch?: oidc.CustomFetch;
  people: Pick<PeopleService, 'userByEmail' | 'actorById'>;
  onboarding: Pick<Onboarding, 'acceptInvitationsBySso'>;
  audit: Audit;
  transaction: <T>(work: () => T) => T;
  log?: Log;
}

export interface SsoLogIn {
  actor: Actor;
  /** Our own path to go to now. */
  next: string;
  newAccount: boolean;
}

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

/** The claim an ID token check found wrong: openid-client's error wraps oauth4webapi's, whose cause names it. */
function comparedClaim(error: unknown): unknown {
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    const claim = (e.cause as { claim?: unknown } | undefined)?.claim;
    if (claim !== undefined) return claim;
  }
  return undefined;
}

/** The name the provider gives, else the address. */
function nameFrom(claims: Record<string, unknown>, email: string) {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const name = text(claims.name) || [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ') || email;
  return name.slice(0, 200);
}

export function createSingleSignOn(deps: SingleSignOnDeps) {
  const { db, now, publicUrl, people, onboarding, audit, transaction, log } = deps;
  const byId = new Map(deps.providers.map((p) => [p.id, p]));
  const byDomain = new Map(deps.providers.flatMap((p) => p.emailDomains.map((d) => [d, p] as const)));
  const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

  const redirectUri = (provider: OidcProvider) => `${publicUrl}/login/sso/${provider.id}/callback`;
  const failed = (reason: 'expired' | 'mismatch' | 'denied' | 'provider', detail: string, check?: string) =>
    new DomainError('sso-failed', detail, { reason, ...(check ? { check } : {}) });

  /** The provider's metadata, read from its discovery document (kept an hour; a failure is not kept). */
  function configuration(provider: OidcProvider): Promise<oidc.Configuration> {
    const at = now().getTime();
    const known = discovered.get(provider.id);
    if (known && at - known.at < DISCOVERY_MS) return known.config;
    const config = oidc
      .discovery(
        new URL(provider.issuer),
        provider.clientId,
        { client_secret: provider.clientSecret },
        oidc.ClientSecretBasic(provider.clientSecret),
        { timeout: 10, ...(deps.fetch ? { [oidc.customFetch]: deps.fetch } : {}) },
      )
      .catch((error: unknown) => {
        if (discovered.get(provider.id)?.config === config) discovered.delete(provider.id);
        log?.warn(
          { provider: provider.id, err: { message: (error as Error).message } },
          'single sign-on: the provider could not be reached',
        );
        throw new DomainError('sso-unavailable', `the provider ${provider.id} could not be reached`, { provider: provider.id });
      });
    discovered.set(provider.id, { at, config });
    return config;
  }

  /** Who the provider vouched for, matched by e-mail; in one transaction with the audit. */
  function logIn(provider: OidcProvider, claims: Record<string, unknown>, next: string, language: Language): SsoLogIn {
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      throw new DomainError('sso-email-refused', 'the provider sent no e-mail address', { reason: 'no-email' });
    const verified = claims.email_verified === true || claims.email_verified === 'true';
    if (!verified && !provider.trustUnverifiedEmail)
      throw new DomainError('sso-email-refused', 'the provider has not verified the e-mail address', { reason: 'unverified', email });
    if (!provider.emailDomains.includes(email.slice(email.lastIndexOf('@') + 1)))
      throw new DomainError('sso-email-refused', 'the provider does not serve this e-mail domain', { reason: 'foreign-domain', email });
    return transaction(() => {
      const user = people.userByEmail(email);
      if (user?.disabled) throw new DomainError('sso-no-account', 'the account is disabled', { reason: 'disabled', email });
      let userId = user?.id;
      if (!userId) {
        const made = onboarding.acceptInvitationsBySso(email, { displayName: nameFrom(claims, email), language }, provider.id);
        if (!made) throw new DomainError('sso-no-account', 'no account and no invitation for this address', { reason: 'unknown', email });
        userId = made.userId;
        for (const programmeId of made.programmeIds)
          audit.record({
            actorId: userId,
            programmeId,
            action: 'sso.account-created',
            subjectUserId: userId,
            details: { provider: provider.id },
          });
      }
      const actor = people.actorById(userId)!;
      // Seen in the audit of every programme the person holds a role in.
      const programmeIds = actor.memberships.length > 0 ? actor.memberships.map((m) => m.programmeId) : [null];
      for (const programmeId of programmeIds)
        audit.record({
          actorId: actor.id,
          programmeId,
          action: 'sso.logged-in',
          subjectUserId: actor.id,
          details: { provider: provider.id },
        });
      return { actor, next, newAccount: user === undefined };
    });
  }

  return {
    /** The providers, for the log-in page's buttons. */
    providers: () => deps.providers.map((p) => ({ id: p.id, name: p.name, emailDomains: p.emailDomains })),

    /** The origins the browser is sent to for a log-in (the log-in page's policy allows its forms to go there). */
    formTargets: () => [...new Set(deps.providers.map((p) => new URL(p.issuer).origin))],

    /** The provider serving an e-mail address's domain, if any. */
    providerFor(email: string) {
      const domain = email.trim().toLowerCase().split('@')[1] ?? '';
      const provider = byDomain.get(domain);
      return provider ? { id: provider.id, name: provider.name, emailDomains: provider.emailDomains } : undefined;
    },

    /**
     * Starts a log-in at a provider: the address to send the browser to, and the key the
     * browser keeps (in a cookie) until the provider sends it back.
     */
    async start(providerId: string, options: { next: string; loginHint?: string }) {
      const provider = byId.get(providerId);
      if (!provider) throw new DomainError('not-found', `no provider ${providerId}`);
      const config = await configuration(provider);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
      const key = crypto.randomBytes(32).toString('base64url');
      const at = now();
      transaction(() => {
        db.delete(ssoTransactions).where(lte(ssoTransactions.expiresAt, at.toISOString())).run();
        db.insert(ssoTransactions)
          .values({
            id: sha256(key),
            providerId,
            state,
            nonce,
            codeVerifier,
            next: options.next,
            createdAt: at.toISOString(),
            expiresAt: new Date(at.getTime() + SSO_MINUTES * 60_000).toISOString(),
          })
          .run();
      });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri(provider),
        scope: SCOPE,
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        ...(options.loginHint ? { login_hint: options.loginHint } : {}),
      });
      return { key, url: url.href, maxAgeSeconds: SSO_MINUTES * 60 };
    },

    /**
     * The provider's answer, at `path` (our callback path with its query), in the browser
     * that holds `key`: the log-in under way is taken (it cannot be answered twice), the
     * answer checked (state, then the code exchanged with the PKCE verifier and the ID
     * token's nonce, issuer, audience and signature checked) and the person matched.
     */
    async finish(providerId: string, key: string | undefined, path: string, language: Language): Promise<SsoLogIn> {
      const taken = key
        ? transaction(() =>
            db
              .delete(ssoTransactions)
              .where(eq(ssoTransactions.id, sha256(key)))
              .returning()
              .get(),
          )
        : undefined;
      if (!taken || taken.expiresAt <= now().toISOString())
        throw failed('expired', 'no log-in under way in this browser, or it took too long');
      const provider = byId.get(taken.providerId);
      if (!provider || taken.providerId !== providerId) throw failed('mismatch', 'the answer came back from another provider', 'provider');
      const url = new URL(`${publicUrl}${path}`);
      if (!sameText(url.searchParams.get('state') ?? '', taken.state)) throw failed('mismatch', 'the state is not this log-in’s', 'state');
      const error = url.searchParams.get('error');
      if (error) throw failed(error === 'access_denied' ? 'denied' : 'provider', `the provider answered ${error}`);
      const config = await configuration(provider);
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, url, {
          pkceCodeVerifier: taken.codeVerifier,
          expectedState: taken.state,
          expectedNonce: taken.nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims()!;
        claims = { ...idToken };
        // Most providers put the address in the ID token; others only answer it at userinfo.
        if (typeof idToken.email !== 'string' && config.serverMetadata().userinfo_endpoint)
          claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
      } catch (error) {
        const e = error as { code?: unknown; message?: string };
        const oauthError = typeof e.code === 'string' && e.code.startsWith('OAUTH_');
        log?.warn(
          { provider: provider.id, err: { code: e.code, message: e.message } },
          'single sign-on: the provider’s answer was refused',
        );
        if (e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && comparedClaim(error) === 'nonce')
          throw failed('mismatch', 'the ID token’s nonce is not this log-in’s', 'nonce');
        // No answer at all (the network, a timeout): the provider is out of reach.
        if (!oauthError) throw new DomainError('sso-unavailable', `the provider ${provider.id} could not be reached`);
        throw failed('provider', 'the provider’s answer does not check out');
      }
      return logIn(provider, claims, taken.next, language);
    },
  };
}

export type SingleSignOn = ReturnType<typeof createSingleSignOn>;
