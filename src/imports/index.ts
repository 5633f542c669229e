import { DomainError } from '../errors.js';
import { t, type Language } from '../i18n/index.js';
import { belongsTo, holds } from '../people/actor.js';
import type { ImportKind, ImportKindId, ImportMessage, ImportPreview, ImportResult, ImportSource } from './kind.js';
import type { TableFormat } from './table.js';

/*
 * The imports a programme offers, by kind: the registry the routes and pages serve. The
 * composition root (src/services.ts) builds it from the kinds it creates; adding a kind is
 * one more element of the list given to `createImports`.
 */

/** An error as a person reads it: where it is and what is wrong, in their language. */
export interface DescribedError {
  sheet?: string;
  row?: number;
  column?: string;
  message: string;
}

export interface DescribedItem {
  sheet?: string;
  row?: number;
  text: string;
}

/** A preview or result with every message translated. */
export interface DescribedPreview {
  kind: ImportKindId;
  creates: DescribedItem[];
  existing: DescribedItem[];
  errors: DescribedError[];
  imported?: boolean;
}

/** A message key of a kind, under `imports.` (a key given without that prefix gets it). */
export function describeMessage(lang: Language, message: ImportMessage): string {
  const key = message.key.startsWith('imports.') ? message.key : `imports.${message.key}`;
  return t(lang, key, message.values);
}

export function describePreview(kind: ImportKindId, preview: ImportPreview | ImportResult, lang: Language): DescribedPreview {
  const place = (x: { sheet?: string; row?: number }) => ({
    ...(x.sheet !== undefined ? { sheet: x.sheet } : {}),
    ...(x.row !== undefined ? { row: x.row } : {}),
  });
  return {
    kind,
    creates: preview.creates.map((i) => ({ ...place(i), text: describeMessage(lang, i.what) })),
    existing: preview.existing.map((i) => ({ ...place(i), text: describeMessage(lang, i.what) })),
    errors: preview.errors.map((e) => ({
      ...place(e),
      ...(e.column !== undefined ? { column: e.column } : {}),
      message: describeMessage(lang, e),
    })),
    ...('imported' in preview ? { imported: preview.imported } : {}),
  };
}

/** Where an error is, in words: "Rad 5, kolumn Beslutsdatum" (and the sheet of a workbook). */
export function placeOf(lang: Language, e: { sheet?: string; row?: number; column?: string }): string {
  const parts = [
    e.sheet !== undefined ? t(lang, 'imports.page.place.sheet', { sheet: e.sheet }) : undefined,
    e.row !== undefined ? t(lang, 'imports.page.place.row', { row: e.row }) : undefined,
    e.column !== undefined ? t(lang, 'imports.page.place.column', { column: e.column }) : undefined,
  ].filter((p) => p !== undefined);
  if (parts.length === 0) return t(lang, 'imports.page.place.file');
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function createImports(kinds: readonly ImportKind[]) {
  const byId = new Map<string, ImportKind>(kinds.map((k) => [k.id, k]));

  /** The kind, if the programme offers it and the actor may use it (404 outside the programme, 403 without the role). */
  function kindFor(source: Pick<ImportSource, 'actor' | 'programmeId'>, id: string): ImportKind {
    const kind = byId.get(id);
    if (!belongsTo(source.actor, source.programmeId) || !kind) throw new DomainError('not-found', `no import of ${id} here`);
    if (!kind.roles.some((role) => holds(source.actor, source.programmeId, role as never))) {
      throw new DomainError('forbidden', `importing ${id} is for: ${kind.roles.join(', ')}`, { roles: [...kind.roles] });
    }
    return kind;
  }

  return {
    /** The kinds offered, in the order given. */
    kinds: (): readonly ImportKind[] => kinds,
    /** The kinds this actor may import in the programme. */
    kindsFor: (source: Pick<ImportSource, 'actor' | 'programmeId'>) =>
      kinds.filter(
        (k) => belongsTo(source.actor, source.programmeId) && k.roles.some((r) => holds(source.actor, source.programmeId, r as never)),
      ),
    kindFor,
    template(source: Pick<ImportSource, 'actor' | 'programmeId'>, id: string, format: TableFormat, lang: Language) {
      return kindFor(source, id).template(format, lang);
    },
    dryRun: (source: ImportSource, id: string) => kindFor(source, id).dryRun(source),
    run: (source: ImportSource, id: string) => kindFor(source, id).run(source),
  };
}

export type Imports = ReturnType<typeof createImports>;
