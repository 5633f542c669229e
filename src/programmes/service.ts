import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { programmes, programmeVersions } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { loadIdeaTemplate, programmeConfigSchema, programmeRules, type ProgrammeConfig } from './config.js';

/** One version of a programme's configuration (see versioning.md). */
export interface ProgrammeVersion {
  programmeId: string;
  version: number;
  config: ProgrammeConfig;
  source: 'file' | 'browser';
  note: string | null;
  createdBy: string | null;
  createdAt: string;
}

/**
 * Programmes and their configuration versions. Versions are append-only; `programmes.version`
 * names the one in force. Parsed versions are kept in memory by (programme, version), which
 * never goes stale because a version is never edited; which version is in force is read from
 * the database on every lookup (one indexed row), so a change made by another process on the
 * same database is used at once.
 */
export function createProgrammeService(db: Db, now: () => Date) {
  const parsed = new Map<string, ProgrammeVersion>();
  const key = (id: string, version: number) => `${id}\u0000${version}`;

  function load(id: string, version: number): ProgrammeVersion | undefined {
    const cached = parsed.get(key(id, version));
    if (cached) return cached;
    const row = db
      .select()
      .from(programmeVersions)
      .where(and(eq(programmeVersions.programmeId, id), eq(programmeVersions.version, version)))
      .get();
    if (!row) return undefined;
    const found: ProgrammeVersion = { ...row, config: programmeConfigSchema.parse(row.config) };
    parsed.set(key(id, version), found);
    return found;
  }

  // Asked on every lookup (several times a command): prepared once.
  const versionQuery = db
    .select({ version: programmes.version })
    .from(programmes)
    .where(eq(programmes.id, sql.placeholder('id')))
    .prepare();

  function version(id: string): number | undefined {
    return versionQuery.get({ id })?.version;
  }

  function current(id: string): ProgrammeVersion | undefined {
    const v = version(id);
    return v === undefined ? undefined : load(id, v);
  }

  const get = (id: string): ProgrammeConfig | undefined => current(id)?.config;

  /** The version in force at a moment: the newest created by then (the first, for a moment before it). */
  function at(id: string, isoTime: string): ProgrammeVersion | undefined {
    const row = db
      .select({ version: programmeVersions.version })
      .from(programmeVersions)
      .where(and(eq(programmeVersions.programmeId, id), lte(programmeVersions.createdAt, isoTime)))
      .orderBy(desc(programmeVersions.version))
      .limit(1)
      .get();
    return load(id, row?.version ?? 1);
  }

  /** Adds a version and puts it in force, in the caller's transaction or its own. */
  function addVersion(config: ProgrammeConfig, source: 'file' | 'browser', by: string | null, note: string | null): ProgrammeVersion {
    return db.transaction(
      () => {
        const at = now().toISOString();
        const before = version(config.id);
        const next = (before ?? 0) + 1;
        if (before === undefined) {
          db.insert(programmes).values({ id: config.id, diaryPrefix: config.diaryPrefix, config, version: next, createdAt: at }).run();
        } else {
          db.update(programmes).set({ config, diaryPrefix: config.diaryPrefix, version: next }).where(eq(programmes.id, config.id)).run();
        }
        db.insert(programmeVersions)
          .values({ programmeId: config.id, version: next, config, source, note, createdBy: by, createdAt: at })
          .run();
        return load(config.id, next)!;
      },
      { behavior: 'immediate' },
    );
  }

  function validate(input: unknown): ProgrammeConfig {
    const config = programmeConfigSchema.parse(input);
    loadIdeaTemplate(config.ideaTemplate); // fail now, not at the first submission
    return config;
  }

  return {
    get,
    current,
    /** The version in force now, or undefined for no such programme. */
    version: (id: string) => version(id) ?? 1,
    /** One version, as it was. */
    versionOf: load,
    at,
    /** Every version of a programme, oldest first, without their configurations parsed. */
    versions(id: string) {
      return db
        .select({
          version: programmeVersions.version,
          source: programmeVersions.source,
          note: programmeVersions.note,
          createdBy: programmeVersions.createdBy,
          createdAt: programmeVersions.createdAt,
        })
        .from(programmeVersions)
        .where(eq(programmeVersions.programmeId, id))
        .orderBy(asc(programmeVersions.version))
        .all();
    },
    rules: (id: string) => {
      const config = get(id);
      return config ? programmeRules(config) : undefined;
    },
    /**
     * What a case is shown against (versioning.md): the settings of the version it was raised
     * under (its areas and criteria are pinned in its machine context from then), and the idea
     * template in force when its template was answered (or now, while it is still to answer).
     */
    forCase(programmeId: string, programmeVersion: number, templateAnsweredAt?: string) {
      const config = (load(programmeId, programmeVersion) ?? current(programmeId)!).config;
      const templateConfig = templateAnsweredAt ? at(programmeId, templateAnsweredAt)!.config : get(programmeId)!;
      return { config, template: templateConfig.ideaTemplateContent ?? loadIdeaTemplate(templateConfig.ideaTemplate) };
    },
    ideaTemplate: (id: string) => {
      const config = get(id);
      return config ? (config.ideaTemplateContent ?? loadIdeaTemplate(config.ideaTemplate)) : undefined;
    },
    list(): ProgrammeConfig[] {
      return db
        .select({ id: programmes.id })
        .from(programmes)
        .all()
        .map((r) => get(r.id)!)
        .filter(Boolean);
    },
    /**
     * Loads a programme definition from a file (the demo data, the CLI). A new programme gets
     * its first version; an unchanged one nothing. A programme whose newest version was made
     * in the browser is refused unless `newVersion` says to put the file's contents in force
     * as a new version.
     */
    upsert(input: unknown, options: { newVersion?: boolean } = {}): ProgrammeConfig {
      const config = validate(input);
      const inForce = current(config.id);
      if (inForce && JSON.stringify(inForce.config) === JSON.stringify(config)) return inForce.config;
      if (inForce && inForce.source === 'browser' && !options.newVersion) {
        throw new DomainError(
          'conflict',
          `programme ${config.id} was last changed in the browser (version ${inForce.version}); loading the file would replace those changes. Run programme:add ${config.id} --new-version to put the file in force as version ${inForce.version + 1}.`,
        );
      }
      return addVersion(config, 'file', null, null).config;
    },
    /** Puts a changed configuration in force as a new version (the administration pages and API). */
    change(input: unknown, by: string, note: string | null): ProgrammeVersion {
      return addVersion(validate(input), 'browser', by, note);
    },
  };
}

export type ProgrammeService = ReturnType<typeof createProgrammeService>;
