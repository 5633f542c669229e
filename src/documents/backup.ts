import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupDatabase } from '../db/backup.js';

/*
 * The backup as one folder: the database (SQLite's online backup, as the server goes on) as
 * satsa.db, every document file a row of that copy names under documents/ (laid out as in the
 * data directory), and SHA256SUMS, the SHA-256 of every file in the folder, in the format
 * `sha256sum -c SHA256SUMS` checks. The database is copied first: a document's file is stored
 * before its row is written, so every row in the copy has its file. The folder is built under
 * a temporary name beside the target and renamed when whole, so a backup either is there
 * complete or is not there.
 *
 * Restore checks the folder against its SHA256SUMS first, then copies the database and the
 * documents into a data directory that has no database yet.
 */

export const BACKUP_DATABASE = 'satsa.db';
export const BACKUP_DOCUMENTS = 'documents';
export const BACKUP_SUMS = 'SHA256SUMS';

export interface FolderBackupResult {
  folder: string;
  documents: number;
  bytes: number;
  milliseconds: number;
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under a folder, as paths relative to it with forward slashes, sorted. */
function filesUnder(root: string, dir = ''): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) => {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      return e.isDirectory() ? filesUnder(root, rel) : [rel];
    })
    .sort();
}

const documentPath = (sha256: string) => `${BACKUP_DOCUMENTS}/${sha256.slice(0, 2)}/${sha256}`;

function fsyncFile(file: string) {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies a file, checking on the way that its content has the hash it is stored under. */
async function copyChecked(from: string, to: string, sha256: string) {
  if (!fs.existsSync(from)) throw new Error(`the document file ${sha256} is missing from the data directory`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
  if ((await sha256Of(to)) !== sha256) throw new Error(`the document file ${sha256} does not have that content: it is damaged`);
  fsyncFile(to);
}

/**
 * Backs up the database and the documents into a new folder `target` (which must not exist).
 * `databaseFile` and `documentsDir` are the data directory's.
 */
export async function backupFolder(databaseFile: string, documentsDir: string, target: string): Promise<FolderBackupResult> {
  const started = performance.now();
  const folder = path.resolve(target);
  if (fs.existsSync(folder)) throw new Error(`${folder} exists already; choose a new folder`);
  fs.mkdirSync(path.dirname(folder), { recursive: true });
  const building = `${folder}.partial-${crypto.randomUUID().slice(0, 8)}`;
  fs.mkdirSync(building);
  try {
    await backupDatabase(databaseFile, path.join(building, BACKUP_DATABASE));
    const copy = new Database(path.join(building, BACKUP_DATABASE), { readonly: true, fileMustExist: true });
    let hashes: string[];
    try {
      hashes = (copy.prepare('SELECT DISTINCT sha256 FROM case_documents ORDER BY sha256').all() as { sha256: string }[]).map(
        (r) => r.sha256,
      );
    } finally {
      copy.close();
    }
    for (const sha of hashes) {
      await copyChecked(path.join(documentsDir, sha.slice(0, 2), sha), path.join(building, documentPath(sha)), sha);
    }
    const lines: string[] = [];
    let bytes = 0;
    for (const rel of filesUnder(building)) {
      lines.push(`${await sha256Of(path.join(building, rel))}  ${rel}`);
      bytes += fs.statSync(path.join(building, rel)).size;
    }
    fs.writeFileSync(path.join(building, BACKUP_SUMS), `${lines.join('\n')}\n`);
    fsyncFile(path.join(building, BACKUP_SUMS));
    fs.renameSync(building, folder);
    return { folder, documents: hashes.length, bytes, milliseconds: performance.now() - started };
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Checks a backup folder against its SHA256SUMS: every file listed is there with its hash, and
 * no file is there that is not listed. Gives the problems found (none when it is whole).
 */
export async function verifyBackup(folder: string): Promise<string[]> {
  const sums = path.join(folder, BACKUP_SUMS);
  if (!fs.existsSync(sums)) return [`${BACKUP_SUMS} is missing: this is not a Satsa backup folder`];
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const line of fs.readFileSync(sums, 'utf8').split('\n').filter(Boolean)) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match || match[2]!.split('/').includes('..') || path.isAbsolute(match[2]!)) {
      problems.push(`${BACKUP_SUMS} has a line that cannot be read: ${line.slice(0, 100)}`);
      continue;
    }
    const [, sha, rel] = match as unknown as [string, string, string];
    listed.add(rel);
    const file = path.join(folder, rel);
    if (!fs.existsSync(file)) problems.push(`${rel}: missing`);
    else if ((await sha256Of(file)) !== sha) problems.push(`${rel}: its checksum does not match`);
  }
  for (const rel of filesUnder(folder)) if (rel !== BACKUP_SUMS && !listed.has(rel)) problems.push(`${rel}: not in ${BACKUP_SUMS}`);
  if (!listed.has(BACKUP_DATABASE)) problems.push(`${BACKUP_DATABASE}: not in the backup`);
  return problems;
}

/**
 * Restores a backup folder into a data directory: checks the folder, then copies the database
 * (as satsa.sqlite) and the documents. Refuses a data directory that has a database already:
 * move it (with its -wal and -shm files) out of the way first.
 */
export async function restoreFolder(folder: string, databaseFile: string, documentsDir: string): Promise<{ documents: number }> {
  const problems = await verifyBackup(folder);
  if (problems.length > 0) throw new Error(`the backup is not whole; nothing was restored:\n  ${problems.join('\n  ')}`);
  for (const file of [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`]) {
    if (fs.existsSync(file)) throw new Error(`${file} exists: stop Satsa and move the old database out of the way first`);
  }
  let documents = 0;
  const source = path.join(folder, BACKUP_DOCUMENTS);
  for (const rel of fs.existsSync(source) ? filesUnder(source) : []) {
    const sha = path.basename(rel);
    const target = path.join(documentsDir, sha.slice(0, 2), sha);
    // The same content already there is the same file.
    if (!fs.existsSync(target)) await copyChecked(path.join(source, rel), target, sha);
    documents += 1;
  }
  // The database last: a database whose documents are not all there yet is never in place.
  fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
  const temp = `${databaseFile}.restoring`;
  fs.copyFileSync(path.join(folder, BACKUP_DATABASE), temp);
  fsyncFile(temp);
  fs.renameSync(temp, databaseFile);
  return { documents };
}
