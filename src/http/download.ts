/*
 * A file handed to a browser to save, never to show: Content-Disposition (RFC 6266) with the
 * name people gave it, safely. `filename` carries a plain-ASCII stand-in (old clients read
 * only that one), `filename*` the real name in UTF-8, percent-encoded as RFC 8187 says; no
 * quote, backslash, semicolon or control character reaches the header unencoded.
 */

/** What RFC 8187 lets stand unencoded in `filename*` (attr-char). */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

function encodeExtended(name: string): string {
  let out = '';
  for (const char of name) {
    if (ATTR_CHAR.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The ASCII stand-in: accents dropped where they can be, any other unsafe character an underscore. */
function asciiFallback(name: string): string {
  const plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%/;]/g, '_')
    .trim();
  return plain.length > 0 ? plain : 'file';
}

/** `attachment; filename="…"; filename*=UTF-8''…` for a file name as people wrote it. */
export function attachmentDisposition(fileName: string): string {
  // eslint-disable-next-line no-control-regex
  const name = fileName.replace(/[\u0000-\u001f\u007f]/g, '');
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtended(name)}`;
}
