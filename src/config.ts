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
});

export type Config = z.infer<typeof configSchema> & { databaseFile: string; mailDir: string; publicUrl: string };

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
    publicUrl: (parsed.data.SATSA_PUBLIC_URL ?? `http://${parsed.data.HOST}:${parsed.data.PORT}`).replace(/\/+$/, ''),
  };
}
