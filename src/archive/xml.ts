/*
 * A small XML writer for the archive's metadata: elements built as strings, every text and
 * attribute value escaped, empty attributes left out. The documents it writes are small
 * (a case's metadata); the files they describe are streamed, never held here.
 */

/** Text or an attribute value, escaped; characters XML 1.0 does not allow are dropped. */
export function escapeXml(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

export type Attributes = Record<string, string | number | undefined | null>;

/** Markup already escaped (what `el` returns). */
export class Xml {
  constructor(readonly markup: string) {}
  toString() {
    return this.markup;
  }
}

type Child = Xml | string | number | undefined | null | false | Child[];

function children(content: Child[]): string {
  return content
    .flat(10 as 1)
    .map((c) => (c instanceof Xml ? c.markup : c === undefined || c === null || c === false ? '' : escapeXml(String(c))))
    .join('');
}

/** An element: `el('mets:file', { ID: 'f1' }, el('mets:FLocat', {...}))`; without content it is empty (`<x/>`). */
export function el(name: string, attributes: Attributes = {}, ...content: Child[]): Xml {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const inner = children(content);
  return new Xml(inner === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>`);
}

/** An element only when its text is there. */
export const optional = (name: string, text: string | undefined | null, attributes: Attributes = {}) =>
  text === undefined || text === null || text.trim() === '' ? undefined : el(name, attributes, text);

/** A whole document: the declaration and the root element. */
export const xmlDocument = (root: Xml) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${root.markup}\n`, 'utf8');
