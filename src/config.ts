import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The environment as one schema, parsed once at boot. Documented in README.md. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SATSA_DATA_DIR: z.string().min(1).default('./data'),
  SATSA_DEMO_DATA: bool.default(true),
  SATSA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SATSA_COOKIE_SECURE: bool.default(false),
  SATSA_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  SATSA_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
});

export type Config = z.infer<typeof configSchema> & { databaseFile: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const dataDir = path.resolve(parsed.data.SATSA_DATA_DIR);
  return { ...parsed.data, SATSA_DATA_DIR: dataDir, databaseFile: path.join(dataDir, 'satsa.sqlite') };
}
