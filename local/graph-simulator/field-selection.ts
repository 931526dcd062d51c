/**
 * Graph's `fields` parameter (field expansion): a comma-separated list in which a field may carry
 * its own selection in braces, e.g. `id,name,owner_app,partners{partner_app{id},status}`.
 * Modifiers such as `.limit(5)` or `.as(x)` are not modelled: the pipeline does not use them, so the
 * simulator refuses them rather than pretend.
 */
export interface FieldSelection {
  name: string;
  /** The nested selection in braces; undefined when none was given (the node's defaults apply). */
  children?: FieldSelection[];
}

export class FieldSyntaxError extends Error {
  override readonly name = 'FieldSyntaxError';
}

const FIELD_NAME = /^[a-z_][a-z0-9_]*/;

/** Parses a `fields` value; throws {@link FieldSyntaxError} on anything Graph would not parse either. */
export function parseFields(raw: string): FieldSelection[] {
  const parser = { text: raw.replace(/\s+/g, ''), at: 0 };
  const fields = parseList(parser);
  if (parser.at !== parser.text.length) throw syntaxError(parser, 'end of string');
  return fields;
}

function parseList(p: { text: string; at: number }): FieldSelection[] {
  const fields: FieldSelection[] = [];
  for (;;) {
    const name = FIELD_NAME.exec(p.text.slice(p.at))?.[0];
    if (!name) throw syntaxError(p, 'a field name');
    p.at += name.length;
    let children: FieldSelection[] | undefined;
    if (p.text[p.at] === '{') {
      p.at += 1;
      children = parseList(p);
      if (p.text[p.at] !== '}') throw syntaxError(p, '"}"');
      p.at += 1;
    }
    // A field named twice is answered once, as Graph does.
    if (!fields.some((f) => f.name === name)) fields.push({ name, ...(children ? { children } : {}) });
    if (p.text[p.at] !== ',') return fields;
    p.at += 1;
  }
}

function syntaxError(p: { text: string; at: number }, expected: string): FieldSyntaxError {
  const found = p.at < p.text.length ? `"${p.text[p.at]}"` : 'end of string';
  return new FieldSyntaxError(`Syntax error "Expected ${expected} instead of ${found}." at character ${p.at}: ${p.text}`);
}
