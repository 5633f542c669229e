import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';

/*
 * The files of documents, under the data directory, by the SHA-256 of their content. A file
 * is received into a temporary file while its hash is taken, its size counted against the
 * limit and its text checked as UTF-8; then its type is read from its content, not from its
 * name. Only then is it flushed to disk and renamed into place (and the folder flushed), so
 * a file either is there whole or is not there at all: a crash, a SIGKILL or an upload cut
 * off halfway leaves at most a temporary file, which no one sees and the next start removes.
 * The same content received twice is one file.
 */

/** The types a document may have: content-detected ones, and UTF-8 text. */
export const DOCUMENT_TYPES = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'text/plain': 'txt',
  'text/csv': 'csv',
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPES;

export type RefusalReason = 'empty' | 'too-large' | 'type' | 'not-utf8' | 'incomplete';

/** Why a file was not taken; nothing of it is kept. */
export class FileRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly detail: { maxBytes?: number; detected?: string } = {},
  ) {
    super(`the file was refused: ${reason}`);
  }
}

export interface StoredFile {
  sha256: string;
  size: number;
  mediaType: DocumentType;
}

const TEMP = 'incoming';

/** Where the file of a hash is (two levels, so no folder holds too many files). */
export function filePath(root: string, sha256: string) {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256');
  return path.join(root, sha256.slice(0, 2), sha256);
}

/** Removes temporary files left by an interrupted upload (at start, before anyone uploads). */
export function sweepIncoming(root: string) {
  const dir = path.join(root, TEMP);
  if (!fs.existsSync(dir)) return 0;
  const names = fs.readdirSync(dir);
  for (const name of names) fs.rmSync(path.join(dir, name), { force: true });
  return names.length;
}

function fsyncDir(dir: string) {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Receives a file's bytes into the store. `name` is the name it was sent with (its extension
 * tells CSV from plain text; nothing else is taken from it). `incomplete` says, after the
 * last chunk, whether the sender stopped before the end (a multipart file cut at a limit).
 */
export async function receiveFile(
  root: string,
  chunks: AsyncIterable<Buffer | Uint8Array>,
  o: { name: string; maxBytes: number; incomplete?: () => boolean },
): Promise<StoredFile> {
  const incoming = path.join(root, TEMP);
  fs.mkdirSync(incoming, { recursive: true });
  const temp = path.join(incoming, `${crypto.randomUUID()}.part`);
  const handle = await fs.promises.open(temp, 'wx', 0o600);
  let closed = false;
  try {
    const hash = crypto.createHash('sha256');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let text = true;
    let size = 0;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > o.maxBytes) throw new FileRefused('too-large', { maxBytes: o.maxBytes });
      hash.update(chunk);
      if (text) {
        try {
          decoder.decode(chunk, { stream: true });
          if (chunk.includes(0)) text = false;
        } catch {
          text = false;
        }
      }
      await handle.write(chunk);
    }
    if (o.incomplete?.()) throw new FileRefused('incomplete');
    if (size === 0) throw new FileRefused('empty');
    if (text) {
      try {
        decoder.decode();
      } catch {
        text = false;
      }
    }
    await handle.sync();
    await handle.close();
    closed = true;
    const detected = await fileTypeFromFile(temp);
    let mediaType: DocumentType;
    if (detected) {
      if (!(detected.mime in DOCUMENT_TYPES)) throw new FileRefused('type', { detected: detected.ext });
      mediaType = detected.mime as DocumentType;
    } else if (text) {
      mediaType = /\.csv$/i.test(o.name) ? 'text/csv' : 'text/plain';
    } else {
      throw new FileRefused(/\.(txt|csv)$/i.test(o.name) ? 'not-utf8' : 'type');
    }
    const sha256 = hash.digest('hex');
    const target = filePath(root, sha256);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (fs.existsSync(target)) {
      fs.rmSync(temp, { force: true });
    } else {
      fs.renameSync(temp, target);
      fsyncDir(path.dirname(target));
    }
    return { sha256, size, mediaType };
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Whether the file of a hash is there and whole (its content still has that hash). */
export async function verifyFile(root: string, sha256: string): Promise<boolean> {
  const file = filePath(root, sha256);
  if (!fs.existsSync(file)) return false;
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex') === sha256;
}
