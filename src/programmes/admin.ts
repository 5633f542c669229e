import { z } from 'zod';
import { DomainError, fieldErrors } from '../errors.js';
import type { Actor } from '../people/actor.js';
import { holds } from '../people/actor.js';
import type { Audit } from '../people/audit.js';
import { allAreas, programmeConfigSchema, type ProgrammeConfig } from './config.js';
import type { ProgrammeService, ProgrammeVersion } from './service.js';

/*
 * A programme's administrator changes its settings: names, mailbox, deadlines, allowed
 * e-mail domains, areas, criteria, the idea template and the names of its bodies and roles.
 * Every change is a new version (versioning.md): in force at once in every process, earlier
 * versions kept, the deadlines of running cases computed anew from the new figures.
 */

/**
 * What a change sends: the whole configuration. The programme's id and diary prefix never
 * change; they may be sent back as they were read (or left out).
 */
export const programmeSettingsSchema = programmeConfigSchema.extend({
  id: programmeConfigSchema.shape.id.optional().describe('as it is; it cannot be changed'),
  diaryPrefix: programmeConfigSchema.shape.diaryPrefix.optional().describe('as it is; it cannot be changed'),
  note: z.string().trim().max(2000).optional().describe('why the change is made; kept with the version'),
});
export type ProgrammeSettingsInput = z.input<typeof programmeSettingsSchema>;

export interface ProgrammeAdminDeps {
  programmes: ProgrammeService;
  audit: Audit;
  /** Computes the deadlines of the programme's active cases anew; returns how many moved. */
  recomputeDeadlines: (actor: Actor, programmeId: string, programmeVersion: number) => number;
  transaction: <T>(work: () => T) => T;
  displayNames: (ids: string[]) => Map<string, string>;
}

/** The top-level settings that differ between two configurations (for the audit and the version list). */
export function changedSettings(a: ProgrammeConfig, b: ProgrammeConfig): string[] {
  return (Object.keys({ ...a, ...b }) as (keyof ProgrammeConfig)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/**
 * Who acts when Satsa itself changes a case for a programme loaded from a file: no person,
 * so the history names no one (the nil UUID has no account).
 */
export const SYSTEM_ACTOR: Actor = {
  id: '00000000-0000-0000-0000-000000000000',
  email: '',
  displayName: 'Satsa',
  language: 'sv',
  memberships: [],
  passwordChangeRequired: false,
};

export function createProgrammeAdmin(deps: ProgrammeAdminDeps) {
  const { programmes, audit } = deps;

  function requireAdministrator(actor: Actor, programmeId: string): ProgrammeVersion {
    const current = programmes.current(programmeId);
    if (!current || !holds(actor, programmeId, 'administrator')) {
      // Someone without the role is not told whether the programme exists.
      if (current && actor.memberships.some((m) => m.programmeId === programmeId)) {
        throw new DomainError('forbidden', "only the programme's administrator changes its settings", { roles: ['administrator'] });
      }
      throw new DomainError('not-found', `no programme ${programmeId}`);
    }
    return current;
  }

  function view(v: ProgrammeVersion) {
    const names = deps.displayNames(v.createdBy ? [v.createdBy] : []);
    return {
      programmeId: v.programmeId,
      version: v.version,
      source: v.source,
      note: v.note,
      createdBy: v.createdBy ? { id: v.createdBy, displayName: names.get(v.createdBy) ?? null } : null,
      createdAt: v.createdAt,
      inForce: v.version === programmes.version(v.programmeId),
      settings: v.config,
    };
  }

  return {
    requireAdministrator,

    /**
     * Loads a programme definition from its file (the command line): a new programme, or a new
     * version of one, refused over changes made in the browser unless `newVersion` says so. A
     * new version's deadlines are applied to running cases at once, as a change in the browser's are.
     */
    loadDefinition(input: ProgrammeConfig, options: { newVersion?: boolean } = {}) {
      return deps.transaction(() => {
        const before = programmes.current(input.id)?.version;
        const config = programmes.upsert(input, options);
        const version = programmes.version(config.id);
        const changed = before !== undefined && version !== before;
        const casesRecomputed = changed ? deps.recomputeDeadlines(SYSTEM_ACTOR, config.id, version) : 0;
        return { config, version, created: before === undefined, changed, casesRecomputed };
      });
    },

    /** The settings in force, or one earlier version, for the programme's administrator. */
    settings(actor: Actor, programmeId: string, version?: number) {
      const current = requireAdministrator(actor, programmeId);
      if (version === undefined) return view(current);
      const found = programmes.versionOf(programmeId, version);
      if (!found) throw new DomainError('not-found', `programme ${programmeId} has no version ${version}`);
      return view(found);
    },

    /** Every version, oldest first, each with the settings it changed from the one before. */
    versions(actor: Actor, programmeId: string) {
      requireAdministrator(actor, programmeId);
      const list = programmes.versions(programmeId);
      const names = deps.displayNames(list.flatMap((v) => (v.createdBy ? [v.createdBy] : [])));
      let before: ProgrammeConfig | undefined;
      return list.map((v) => {
        const config = programmes.versionOf(programmeId, v.version)!.config;
        const changed = before ? changedSettings(before, config) : [];
        before = config;
        return {
          ...v,
          createdBy: v.createdBy ? { id: v.createdBy, displayName: names.get(v.createdBy) ?? null } : null,
          changed,
        };
      });
    },

    /**
     * Puts new settings in force as the next version, if the caller saw the version in force
     * (`expectedVersion`). Settings equal to those in force make no version.
     */
    change(actor: Actor, programmeId: string, expectedVersion: number, input: unknown) {
      const current = requireAdministrator(actor, programmeId);
      const parsed = programmeSettingsSchema.safeParse(input);
      if (!parsed.success) {
        throw new DomainError('validation-failed', 'the settings are not valid', { errors: fieldErrors(parsed.error.issues, 'body') });
      }
      const { note, id, diaryPrefix, ...settings } = parsed.data;
      const config = programmeConfigSchema.parse({ ...settings, id: current.config.id, diaryPrefix: current.config.diaryPrefix });
      const errors = consistencyErrors(config);
      if (id !== undefined && id !== current.config.id) errors.push({ path: 'body.id', message: "the programme's id cannot be changed" });
      if (diaryPrefix !== undefined && diaryPrefix !== current.config.diaryPrefix) {
        errors.push({ path: 'body.diaryPrefix', message: 'the diary prefix cannot be changed: diary numbers already given keep theirs' });
      }
      if (errors.length > 0) throw new DomainError('validation-failed', 'the settings are not valid', { errors });
      return deps.transaction(() => {
        const inForce = programmes.current(programmeId)!;
        if (inForce.version !== expectedVersion) {
          throw new DomainError('version-mismatch', `the settings are at version ${inForce.version}, not ${expectedVersion}`, {
            currentVersion: inForce.version,
          });
        }
        const changed = changedSettings(inForce.config, config);
        if (changed.length === 0) return { ...view(inForce), changed: false, casesRecomputed: 0 };
        const version = programmes.change(config, actor.id, note ?? null);
        audit.record({
          actorId: actor.id,
          programmeId,
          action: 'programme.changed',
          reason: note ?? null,
          details: { from: inForce.version, to: version.version, settings: changed },
        });
        const casesRecomputed = changed.includes('deadlines') ? deps.recomputeDeadlines(actor, programmeId, version.version) : 0;
        return { ...view(version), changed: true, casesRecomputed };
      });
    },
  };
}

/** What zod cannot see field by field: ids that must be unique, a template that asks for areas. */
function consistencyErrors(config: ProgrammeConfig) {
  const errors: { path: string; message: string }[] = [];
  const seen = new Map<string, string>();
  allAreas(config).forEach((a) => {
    if (seen.has(a.id)) errors.push({ path: 'body.priorityAreas', message: `the area id ${a.id} is used twice` });
    seen.set(a.id, a.id);
  });
  const criteria = new Set<string>();
  config.criteria.forEach((c, i) => {
    if (criteria.has(c.id)) errors.push({ path: `body.criteria.${i}.id`, message: `the criterion id ${c.id} is used twice` });
    criteria.add(c.id);
  });
  if (config.ideaTemplateContent) {
    const fields = new Set<string>();
    config.ideaTemplateContent.fields.forEach((f, i) => {
      if (fields.has(f.id)) errors.push({ path: `body.ideaTemplateContent.fields.${i}.id`, message: `the field id ${f.id} is used twice` });
      fields.add(f.id);
    });
  }
  if (config.years.last < config.years.first) errors.push({ path: 'body.years.last', message: 'last must not be before first' });
  return errors;
}
