import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/*
 * An online backup with SQLite's backup API, safe while the server runs and writes. The copy
 * is made in one step, so it is the database as it was at one moment (in WAL mode a reader
 * does not stop writers, and writers do not make the copy start over). The result is checked
 * before it is called done.
 */

export interface BackupResult {
  file: string;
  pages: number;
  bytes: number;
  milliseconds: number;
}

export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (fs.existsSync(target)) throw new Error(`${target} exists already; choose a new file`);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const started = performance.now();
  const db = new Database(source, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  let pages: number;
  try {
    // The first step only opens the backup; the answer makes the next step copy every page at once.
    const result = await db.backup(target, { progress: () => 0x7fffffff });
    pages = result.totalPages;
  } finally {
    db.close();
  }
  const copy = new Database(target, { fileMustExist: true });
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`the backup ${target} fails the integrity check: ${String(check)}`);
    copy.pragma('journal_mode = DELETE'); // one self-contained file
  } finally {
    copy.close();
  }
  return { file: target, pages, bytes: fs.statSync(target).size, milliseconds: performance.now() - started };
}
