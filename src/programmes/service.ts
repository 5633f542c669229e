import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { programmes } from '../db/schema.js';
import { loadIdeaTemplate, programmeConfigSchema, programmeRules, type ProgrammeConfig } from './config.js';

export function createProgrammeService(db: Db, now: () => Date) {
  const cache = new Map<string, ProgrammeConfig>();

  function get(id: string): ProgrammeConfig | undefined {
    const cached = cache.get(id);
    if (cached) return cached;
    const row = db.select().from(programmes).where(eq(programmes.id, id)).get();
    if (!row) return undefined;
    const config = programmeConfigSchema.parse(row.config);
    cache.set(id, config);
    return config;
  }

  return {
    get,
    rules: (id: string) => {
      const config = get(id);
      return config ? programmeRules(config) : undefined;
    },
    ideaTemplate: (id: string) => {
      const config = get(id);
      return config ? loadIdeaTemplate(config.ideaTemplate) : undefined;
    },
    list(): ProgrammeConfig[] {
      return db
        .select({ id: programmes.id })
        .from(programmes)
        .all()
        .map((r) => get(r.id)!)
        .filter(Boolean);
    },
    /** Stores a programme definition (validated); used by the demo data and the CLI. */
    upsert(input: unknown): ProgrammeConfig {
      const config = programmeConfigSchema.parse(input);
      loadIdeaTemplate(config.ideaTemplate); // fail now, not at the first submission
      db.insert(programmes)
        .values({ id: config.id, diaryPrefix: config.diaryPrefix, config, createdAt: now().toISOString() })
        .onConflictDoUpdate({ target: programmes.id, set: { config, diaryPrefix: config.diaryPrefix } })
        .run();
      cache.delete(config.id);
      return config;
    },
  };
}

export type ProgrammeService = ReturnType<typeof createProgrammeService>;
