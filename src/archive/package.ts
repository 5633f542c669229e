import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { DomainError } from '../errors.js';
import { ermsXml } from './erms.js';
import { packageMets, representationMets } from './mets.js';
import { PACKAGE_SCHEMAS, REPRESENTATION, rootFolderOf, type ArchiveCase, type PackageContext, type PackageFile } from './model.js';
import { packagePremis, representationPremis } from './premis.js';

/*
 * A closed case as an E-ARK SIP, written as a zip to a stream: the documents' files are read
 * from the document store as they are written (a package can be large), the generated files
 * (HTML and XML, a case's worth) are made first so that every checksum is known before METS.
 *
 *   uuid_…/METS.xml
 *   uuid_…/metadata/descriptive/ERMS.xml
 *   uuid_…/metadata/preservation/premis.xml
 *   uuid_…/documentation/om-paketet.html
 *   uuid_…/schemas/*.xsd
 *   uuid_…/representations/rep1/METS.xml
 *   uuid_…/representations/rep1/metadata/preservation/premis.xml
 *   uuid_…/representations/rep1/data/arende.html, historik.html, dokument/…
 */

/** The case and its history in words, and what the package is, as HTML pages (made by src/web). */
export interface PackageRenderings {
  caseHtml: string;
  historyHtml: string;
  aboutHtml: string;
}

const sha256Of = (buffer: Buffer) => crypto.createHash('sha256').update(buffer).digest('hex');

/** The SHA-256 and size of a file, read as a stream. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

const generated = (id: string, filePath: string, mimeType: string, created: string, buffer: Buffer): PackageFile => ({
  id,
  path: filePath,
  mimeType,
  size: buffer.length,
  sha256: sha256Of(buffer),
  created,
  source: { buffer },
});

/** A document's name in the package: its number and a plain-ASCII form of its name, with its extension. */
export function documentFileName(index: number, fileName: string): string {
  const plain = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(-80);
  return `${String(index + 1).padStart(3, '0')}-${plain || 'dokument'}`;
}

/**
 * Every file of the package, in the order they are written. The documents' files are checked
 * against the store's checksums first: a file that is not what was received is not delivered.
 */
export async function packageFiles(
  ctx: PackageContext,
  c: ArchiveCase,
  html: PackageRenderings,
  schemasDir: string,
): Promise<PackageFile[]> {
  const rep = `representations/${REPRESENTATION}`;
  const at = ctx.createdAt;
  const documents = new Map<string, PackageFile>();
  for (const [i, d] of c.documents.entries()) {
    const found = await hashFile(d.storePath).catch(() => undefined);
    if (!found || found.sha256 !== d.sha256 || found.size !== d.size) {
      throw new DomainError('conflict', `the file of the document ${d.fileName} is missing or not as it was received`, {
        reason: 'document-file-damaged',
      });
    }
    documents.set(d.id, {
      id: d.id,
      path: `${rep}/data/dokument/${documentFileName(i, d.fileName)}`,
      mimeType: d.mediaType,
      size: d.size,
      sha256: d.sha256,
      created: d.addedAt,
      source: { file: d.storePath },
      originalName: d.fileName,
    });
  }
  const caseHtml = generated('case', `${rep}/data/arende.html`, 'text/html', at, Buffer.from(html.caseHtml, 'utf8'));
  const historyHtml = generated('history', `${rep}/data/historik.html`, 'text/html', at, Buffer.from(html.historyHtml, 'utf8'));
  const data = [caseHtml, historyHtml, ...documents.values()];
  const repPremis = generated(
    'rep-premis',
    `${rep}/metadata/preservation/premis.xml`,
    'application/xml',
    at,
    representationPremis(data, rep),
  );
  const repMets = generated('rep-mets', `${rep}/METS.xml`, 'application/xml', at, representationMets(ctx, c, data, repPremis));
  const schemas = PACKAGE_SCHEMAS.map((name) =>
    generated(`schema-${name}`, `schemas/${name}`, 'application/xml', at, fs.readFileSync(path.join(schemasDir, name))),
  );
  const about = generated('about', 'documentation/om-paketet.html', 'text/html', at, Buffer.from(html.aboutHtml, 'utf8'));
  const erms = generated(
    'erms',
    'metadata/descriptive/ERMS.xml',
    'application/xml',
    at,
    ermsXml(ctx, c, { caseHtml, historyHtml, documents }),
  );
  const premis = generated('premis', 'metadata/preservation/premis.xml', 'application/xml', at, packagePremis(ctx, c, repMets));
  const mets = generated(
    'mets',
    'METS.xml',
    'application/xml',
    at,
    packageMets(ctx, c, { erms, premis, documentation: [about], schemas, representationMets: repMets }),
  );
  return [mets, erms, premis, about, ...schemas, repMets, repPremis, ...data];
}

/**
 * Writes the package's zip to `out` as a stream, and gives the zip's SHA-256 and size. Every
 * file is in one root folder named by the package id (CSIPSTR1, CSIPSTR2); XML and HTML are
 * compressed, the documents stored as they are (most are compressed already).
 */
export async function writePackageZip(ctx: PackageContext, files: PackageFile[], out: Writable): Promise<{ sha256: string; size: number }> {
  const zip = new yazl.ZipFile();
  const root = rootFolderOf(ctx.objid);
  const mtime = new Date(ctx.createdAt);
  for (const f of files) {
    const name = `${root}/${f.path}`;
    if ('buffer' in f.source) zip.addBuffer(f.source.buffer, name, { mtime, compress: true });
    else zip.addReadStream(fs.createReadStream(f.source.file), name, { mtime, compress: false, size: f.size });
  }
  zip.end();
  const hash = crypto.createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(zip.outputStream, count, out);
  return { sha256: hash.digest('hex'), size };
}
