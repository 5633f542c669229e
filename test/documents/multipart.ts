import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/*
 * Multipart bodies built by hand, as a browser sends them, and the files a test uploads.
 */

export const BOUNDARY = '----satsa-test-boundary-7MA4YWxkTrZu0gW';

export type Part = { name: string; value: string } | { name: string; fileName: string; type?: string; bytes: Buffer };

/** The parts as one multipart/form-data body; `cut` leaves the last part without its end. */
export function multipart(parts: Part[], o: { cut?: boolean } = {}): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\n`));
    if ('value' in part) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n`));
      chunks.push(Buffer.from(part.value, 'utf8'));
    } else {
      const quoted = part.fileName.replace(/["\\]/g, (c) => `\\${c}`);
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${quoted}"\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
          'utf8',
        ),
      );
      chunks.push(part.bytes);
    }
    chunks.push(Buffer.from('\r\n'));
  }
  if (o.cut) chunks.pop();
  else chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The start of a Linux program (ELF), whatever it is called. */
export const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 1)]);

export const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/** Every file under a folder, however deep (none when it does not exist). */
export const everyFile = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? everyFile(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    : [];
