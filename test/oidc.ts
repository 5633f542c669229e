import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Provider, { type Configuration } from 'oidc-provider';
import { Agent, fetch as undiciFetch } from 'undici';
import type { OidcProvider } from '../src/config.js';
import type { Outbound } from '../src/services.js';

/*
 * Real OpenID Connect providers for the tests (oidc-provider), over TLS with a certificate
 * made here by openssl and signed by a CA of the test's own. Satsa reaches them as in
 * production (https, the issuer's discovery document, keys and token endpoint); only its fetch
 * trusts the test's CA (an undici Agent given it), and so does the tests' "browser".
 */

export interface TestCertificates {
  ca: string;
  key: string;
  cert: string;
}

/** A CA and a certificate for 127.0.0.1 and localhost signed by it, valid a day. */
export function makeCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-oidc-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=Satsa test CA');
    openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
    fs.writeFileSync(
      file('server.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.crt'),
      '-days',
      '1',
      '-extfile',
      file('server.ext'),
    );
    return {
      ca: fs.readFileSync(file('ca.crt'), 'utf8'),
      key: fs.readFileSync(file('server.key'), 'utf8'),
      cert: fs.readFileSync(file('server.crt'), 'utf8'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A fetch that trusts the test's CA (and nothing else of the machine's), for the app and the test's browser. */
export function trustingFetch(ca: string) {
  const dispatcher = new Agent({ connect: { ca } });
  const fetch = ((url: string, init: Record<string, unknown> = {}) =>
    undiciFetch(url, { ...init, dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as typeof globalThis.fetch;
  const outbound: Outbound = { oidcFetch: fetch as unknown as NonNullable<Outbound['oidcFetch']> };
  return { fetch, outbound, close: () => dispatcher.close() };
}

/** What a person's account at a test provider says of them. */
export type TestClaims = { email?: string; email_verified?: boolean; name?: string; given_name?: string; family_name?: string };

export interface TestProvider {
  issuer: string;
  /** What Satsa's configuration says of this provider. */
  entry: OidcProvider;
  close: () => Promise<void>;
}

/**
 * A provider listening on 127.0.0.1 over TLS with one client, Satsa, whose redirect URI is
 * `<publicUrl>/login/sso/<id>/callback`. Its people are `accounts` by subject; its log-in page
 * (oidc-provider's development interactions) takes a subject as the login and any password.
 * PKCE is required of every client.
 */
export async function startProvider(o: {
  id: string;
  name: { sv: string; en: string };
  publicUrl: string;
  tls: TestCertificates;
  emailDomains: string[];
  trustUnverifiedEmail?: boolean;
  accounts: Record<string, TestClaims>;
  /** More of oidc-provider's configuration (conformIdTokenClaims: false puts the e-mail in the ID token). */
  configuration?: Partial<Configuration>;
}): Promise<TestProvider> {
  const server = https.createServer({ key: o.tls.key, cert: o.tls.cert });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientSecret = `the secret of satsa at ${o.id}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'satsa',
        client_secret: clientSecret,
        redirect_uris: [`${o.publicUrl}/login/sso/${o.id}/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    pkce: { required: () => true },
    // Its own signing key, and lifetimes said out loud (the defaults warn that they are for quick starts).
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: `${o.id}-1` }] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
    cookies: { keys: [`cookie key of ${o.id}`] },
    features: { devInteractions: { enabled: true } },
    findAccount: async (_ctx, sub) => (o.accounts[sub] ? { accountId: sub, claims: async () => ({ sub, ...o.accounts[sub] }) } : undefined),
    ...o.configuration,
  });
  server.on('request', provider.callback());
  return {
    issuer,
    entry: {
      id: o.id,
      name: o.name,
      issuer,
      clientId: 'satsa',
      clientSecret,
      emailDomains: o.emailDomains,
      trustUnverifiedEmail: o.trustUnverifiedEmail ?? false,
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------- a browser over HTTP

export interface Answer {
  url: string;
  status: number;
  location?: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Where a page goes on to at once (its meta refresh), as a browser follows it; undefined when it stays. */
export function goesOnTo(answer: Answer): string | undefined {
  const found = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(answer.body);
  return found ? new URL(found[1]!.replace(/&amp;/g, '&'), answer.url).href : undefined;
}

interface Cookie {
  value: string;
  path: string;
}

/**
 * What a browser does over HTTP, for the flow across the app (through `inject`, under its
 * public address) and the providers (over TLS): it keeps each site's cookies by name and path
 * (Max-Age=0 removes one), sends those whose path matches, and follows nothing by itself.
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, Cookie>>();

  constructor(
    private readonly app: { inject: (o: object) => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }> },
    private readonly publicUrl: string,
    private readonly fetch: typeof globalThis.fetch,
  ) {}

  /** The value of a cookie this browser holds for a site, whatever its path. */
  cookie(site: string, name: string): string | undefined {
    return this.jar.get(new URL(site).host)?.get(name)?.value;
  }

  private cookiesFor(url: URL): string {
    const site = this.jar.get(url.host);
    if (!site) return '';
    return [...site]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private keep(url: URL, setCookie: string[]) {
    const site = this.jar.get(url.host) ?? new Map<string, Cookie>();
    this.jar.set(url.host, site);
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      const attribute = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1) ??
        (attributes.some((a) => a.toLowerCase() === key) ? '' : undefined);
      const gone =
        attribute('max-age') === '0' ||
        value === '' ||
        (attribute('expires') !== undefined && Date.parse(attribute('expires')!) < Date.now());
      if (gone) site.delete(name);
      else site.set(name, { value, path: attribute('path') || '/' });
    }
  }

  /** One request, as a browser sends it: its cookies, a form body if given. */
  async request(href: string, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}): Promise<Answer> {
    const url = new URL(href);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.cookiesFor(url);
    if (cookie) headers.cookie = cookie;
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const method = init.method ?? (body === undefined ? 'GET' : 'POST');
    let answer: Answer;
    if (href.startsWith(`${this.publicUrl}/`)) {
      const res = await this.app.inject({ method, url: `${url.pathname}${url.search}`, headers, payload: body });
      const setCookie = res.headers['set-cookie'];
      this.keep(url, setCookie === undefined ? [] : ([] as string[]).concat(setCookie as string | string[]));
      answer = {
        url: href,
        status: res.statusCode,
        location: res.headers.location as string | undefined,
        body: res.body,
        headers: res.headers as Answer['headers'],
      };
    } else {
      const res = await this.fetch(href, { method, headers, body, redirect: 'manual' });
      this.keep(url, res.headers.getSetCookie());
      answer = {
        url: href,
        status: res.status,
        location: res.headers.get('location') ?? undefined,
        body: await res.text(),
        headers: Object.fromEntries(res.headers),
      };
    }
    if (answer.location) answer.location = new URL(answer.location, href).href;
    return answer;
  }

  /**
   * From an answer that sends the browser to a provider, through the provider's pages (its
   * log-in form, filled with `login`, and its consent form) to the address it sends the
   * browser back to at the app: returned, not followed, so a test can follow or tamper with it.
   */
  async throughProvider(answer: Answer, login: string): Promise<string> {
    let current = answer;
    for (let step = 0; step < 20; step++) {
      if (current.location) {
        if (current.location.startsWith(`${this.publicUrl}/`)) return current.location;
        current = await this.request(current.location);
        continue;
      }
      if (current.status !== 200) throw new Error(`the provider answered ${current.status}: ${current.body.slice(0, 300)}`);
      const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(current.body);
      if (!form) throw new Error(`no form on the provider's page: ${current.body.slice(0, 300)}`);
      const fields: Record<string, string> = {};
      for (const input of form[2]!.matchAll(/<input[^>]*>/g)) {
        const name = /name="([^"]*)"/.exec(input[0])?.[1];
        if (name) fields[name] = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      }
      if ('login' in fields) Object.assign(fields, { login, password: 'any password will do' });
      current = await this.request(new URL(form[1]!.replace(/&amp;/g, '&'), current.url).href, { form: fields });
    }
    throw new Error('the provider never sent the browser back');
  }
}
