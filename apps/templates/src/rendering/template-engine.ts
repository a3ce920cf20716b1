import Mustache from 'mustache';

/**
 * Templates are logic-less: `{{name}}` substitutions only (Genesys' syntax). Sections, partials and
 * anything else Mustache could do are refused when a template is saved, so rendering is a linear
 * walk with no code, no lookups beyond the contact's own values and nothing reachable through
 * prototypes.
 */
export class TemplateSyntaxError extends Error {}

export interface ParsedTemplate {
  tokens: Mustache.TemplateSpans;
  variables: string[];
}

export function parseTemplate(content: string): ParsedTemplate {
  let tokens: Mustache.TemplateSpans;
  try {
    tokens = Mustache.parse(content);
  } catch (e) {
    throw new TemplateSyntaxError(`template does not parse: ${(e as Error).message}`);
  }
  const variables: string[] = [];
  for (const token of tokens) {
    const [kind, value] = token;
    if (kind === 'text') continue;
    if (kind === 'name' || kind === '&') {
      if (!variables.includes(value)) variables.push(value);
      continue;
    }
    if (kind === '!') continue;
    throw new TemplateSyntaxError(`"{{${kind}${value}}}" is not allowed: templates hold substitutions such as {{firstName}} only`);
  }
  return { tokens, variables };
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

/** Fills the substitutions; `escape` is applied to each value (HTML for email bodies). */
export function renderTemplate(parsed: ParsedTemplate, values: (name: string) => string | undefined, escape: (s: string) => string = (s) => s): RenderResult {
  const missing: string[] = [];
  let text = '';
  for (const token of parsed.tokens) {
    const [kind, value] = token;
    if (kind === 'text') text += value;
    else if (kind === 'name' || kind === '&') {
      const v = values(value);
      if (v === undefined) missing.push(value);
      else text += kind === '&' ? v : escape(v);
    }
  }
  return missing.length ? { ok: false, missing } : { ok: true, text };
}
