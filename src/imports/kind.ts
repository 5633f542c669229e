import type { Actor } from '../people/actor.js';
import type { TableFormat } from './table.js';

/*
 * What every import is: a kind of thing recorded from a spreadsheet (the plan, decided
 * initiatives), with a template to fill in, a dry run that says what would be created and
 * every error by sheet, row and column, and a run that writes all of it in one transaction
 * or nothing. Running the same file again creates nothing new: what an earlier import made
 * is found and reported as already there. The routes and pages serve any kind the same way.
 */

export const IMPORT_KINDS = ['plan', 'initiatives'] as const;
export type ImportKindId = (typeof IMPORT_KINDS)[number];

/** A message for a person: an i18n key under `imports.` with its values, translated by the page or the API. */
export interface ImportMessage {
  key: string;
  values?: Record<string, string | number>;
}

export interface ImportError extends ImportMessage {
  /** The sheet of a workbook (undefined for a CSV file). */
  sheet?: string;
  /** The row as the spreadsheet shows it (the header is row 1); undefined for the file as a whole. */
  row?: number;
  /** The column as the header names it; undefined for the row as a whole. */
  column?: string;
}

export interface ImportItem {
  sheet?: string;
  row?: number;
  /** What it is, in words (e.g. "Satsning UPH-2021-0004: Stöd i skolan"). */
  what: ImportMessage;
}

export interface ImportPreview {
  /** What the import would create. */
  creates: ImportItem[];
  /** What an earlier import of the same rows already created: nothing new is made of it. */
  existing: ImportItem[];
  errors: ImportError[];
}

export interface ImportResult extends ImportPreview {
  /** True when something was written (no errors, at least one thing created). */
  imported: boolean;
}

export interface ImportSource {
  programmeId: string;
  actor: Actor;
  /** The file's name as uploaded (recorded with what it creates). */
  fileName: string;
  bytes: Buffer;
}

export interface ImportKind {
  id: ImportKindId;
  /** The roles that may import this kind (the programme's administrator at least). */
  roles: readonly string[];
  /** The template: the sheets and their columns, headers in the language asked for, with example rows. */
  template(format: TableFormat, language: 'sv' | 'en'): Promise<Buffer>;
  /** What would be created and every error; writes nothing. */
  dryRun(source: ImportSource): Promise<ImportPreview>;
  /** The import: all of it in one transaction, or nothing when any row has an error. */
  run(source: ImportSource): Promise<ImportResult>;
}
