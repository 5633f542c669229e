import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The environment as one schema, parsed once at boot. Documented in README.md. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SATSA_DATA_DIR: z.string().min(1).default('./data'),
  SATSA_DEMO_DATA: bool.default(true),
  SATSA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SATSA_COOKIE_SECURE: bool.default(false),
  /**
   * Behind the region's reverse proxy: `true` (trust X-Forwarded-For from any proxy), the
   * number of proxies in front, or a comma-separated list of their addresses or CIDR ranges,
   * so the client address (for log-in throttling) is the person's, not the proxy's.
   */
  SATSA_TRUST_PROXY: z
    .string()
    .trim()
    .min(1)
    .default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
  SATSA_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  SATSA_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  /** The largest document a person may attach to a case (its file, in bytes). */
  SATSA_DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(20 * 1024 * 1024),
  /** Where people reach Satsa; links in e-mails start with it. Defaults to http://HOST:PORT. */
  SATSA_PUBLIC_URL: z.url().optional(),
  /** SMTP relay. Without a host, messages are written as .eml files under <data dir>/mail. */
  SATSA_SMTP_HOST: z.string().min(1).optional(),
  SATSA_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  SATSA_SMTP_SECURE: bool.default(false),
  /** Refuse to send unless the connection is encrypted (STARTTLS required). */
  SATSA_SMTP_REQUIRE_TLS: bool.default(false),
  SATSA_SMTP_USER: z.string().min(1).optional(),
  SATSA_SMTP_PASSWORD: z.string().min(1).optional(),
  SATSA_MAIL_FROM: z.string().min(3).default('Satsa <satsa@localhost>'),
  /** A folder of the region's own mail templates, laid out like templates/mail. */
  SATSA_MAIL_TEMPLATES_DIR: z.string().min(1).optional(),
  /** Attempts before a message is parked as failed; the delay doubles from the base each time. */
  SATSA_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  SATSA_MAIL_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** How often the relay and the scheduler look for due messages and timers. */
  SATSA_POLL_SECONDS: z.coerce.number().min(0.05).max(3600).default(15),
  /** A JSON file listing the OpenID Connect providers people may log in with (oidcProvidersSchema). */
  SATSA_OIDC_PROVIDERS_FILE: z.string().min(1).optional(),
});

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * One OpenID Connect provider: a region's or a municipality's own log-in (Microsoft Entra ID,
 * say). People whose address is in one of `emailDomains` are sent to it, and it may vouch only
 * for addresses in those domains. Its issuer is always https.
 */
export const oidcProviderSchema = z
  .object({
    /** Lower-case letters, digits and hyphens: part of the redirect URI, /login/sso/<id>/callback. */
    id: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'lower-case letters, digits and hyphens, at most 40'),
    /** What the log-in page's button says, in both languages. */
    name: z.object({ sv: z.string().trim().min(1).max(100), en: z.string().trim().min(1).max(100) }).strict(),
    issuer: z.url({ protocol: /^https$/, error: "an https URL (the provider's issuer identifier)" }),
    clientId: z.string().min(1).max(500),
    clientSecret: z.string().min(1).max(2000),
    /** The e-mail domains this provider serves, e.g. ["karlskrona.se"]; no other provider may serve them too. */
    emailDomains: z.array(z.string().trim().toLowerCase().regex(DOMAIN, 'a domain such as karlskrona.se')).min(1),
    /**
     * Whether the provider's `email` claim is trusted without `email_verified: true`. Microsoft
     * Entra ID sends no `email_verified` unless configured to: set true only when the
     * provider's administrators alone set people's addresses.
     */
    trustUnverifiedEmail: z.boolean().default(false),
  })
  .strict();

export type OidcProvider = z.infer<typeof oidcProviderSchema>;

/** The providers file: a JSON array of providers, each id and each e-mail domain used once. */
export const oidcProvidersSchema = z
  .array(oidcProviderSchema)
  .max(200)
  .superRefine((providers, ctx) => {
    const ids = new Set<string>();
    const domains = new Map<string, string>();
    providers.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `the id ${p.id} is used twice` });
      ids.add(p.id);
      p.emailDomains.forEach((domain, j) => {
        const other = domains.get(domain);
        if (other !== undefined && other !== p.id)
          ctx.addIssue({ code: 'custom', path: [i, 'emailDomains', j], message: `${domain} is served by ${other} too` });
        domains.set(domain, p.id);
      });
    });
  });

/** Reads and checks the providers file (relative to the working directory). */
function loadOidcProviders(file: string | undefined): OidcProvider[] {
  if (!file) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'));
  } catch (error) {
    throw new Error(`Invalid configuration:\n  SATSA_OIDC_PROVIDERS_FILE: ${(error as Error).message}`, { cause: error });
  }
  const parsed = oidcProvidersSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  SATSA_OIDC_PROVIDERS_FILE: ${['providers', ...i.path].join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export type Config = z.infer<typeof configSchema> & {
  databaseFile: string;
  mailDir: string;
  /** Where the files of documents on cases are kept, by the SHA-256 of their content. */
  documentsDir: string;
  publicUrl: string;
  /** The OpenID Connect providers of SATSA_OIDC_PROVIDERS_FILE (none without it). */
  oidcProviders: OidcProvider[];
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const dataDir = path.resolve(parsed.data.SATSA_DATA_DIR);
  return {
    ...parsed.data,
    SATSA_DATA_DIR: dataDir,
    databaseFile: path.join(dataDir, 'satsa.sqlite'),
    mailDir: path.join(dataDir, 'mail'),
    documentsDir: path.join(dataDir, 'documents'),
    publicUrl: (parsed.data.SATSA_PUBLIC_URL ?? `http://${parsed.data.HOST}:${parsed.data.PORT}`).replace(/\/+$/, ''),
    oidcProviders: loadOidcProviders(parsed.data.SATSA_OIDC_PROVIDERS_FILE),
  };
}
