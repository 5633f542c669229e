import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The files the pages link to: the stylesheet and the report's print script, in
 * src/web/assets/ (nothing inline, so the Content-Security-Policy allows no inline style or
 * script). Each is read once and named by a hash of its content, so a page always links the
 * version it was rendered with and a browser may keep it for a year (src/routes/pages/assets.ts
 * serves them).
 */

/** From src/web and from the bundle in dist/bundle alike, two folders up is the repository. */
const assetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/web/assets');

export interface Asset {
  /** Where a page links it, e.g. /assets/satsa.3f9a1c0b7d2e.css. */
  url: string;
  contentType: string;
  body: Buffer;
}

function asset(file: string, contentType: string): Asset {
  const body = fs.readFileSync(path.join(assetsDir, file));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const ext = path.extname(file);
  return { url: `/assets/${path.basename(file, ext)}.${hash}${ext}`, contentType, body };
}

export const ASSETS = {
  /** The pages' stylesheet (layout.ts). */
  site: asset('satsa.css', 'text/css; charset=utf-8'),
  /** The programme-year report's print button (report.ts). */
  print: asset('print.js', 'text/javascript; charset=utf-8'),
} as const;

/** Each served file by the last part of its URL. */
export const ASSET_BY_NAME: ReadonlyMap<string, Asset> = new Map(Object.values(ASSETS).map((a) => [a.url.slice('/assets/'.length), a]));
