import { MAX_EMAIL_BODY_CHARACTERS, MAX_EMAIL_SUBJECT_CHARACTERS } from '@herald/contracts';
import { ResponseText } from '../responses/response.entity';
import { parseTemplate, ParsedTemplate, renderTemplate } from './template-engine';

/** An email template's parts (Genesys `CampaignEmailTemplate`: a `subject` text and `body` texts in text/plain and/or text/html). */
export interface EmailTemplate {
  subject: ParsedTemplate;
  html?: ParsedTemplate;
  text?: ParsedTemplate;
}

export interface RenderedEmail {
  subject: string;
  html?: string;
  text?: string;
}

/** What is wrong with an email template's texts, or undefined if nothing is. */
export function emailTemplateProblem(texts: { contentType?: string; type?: string }[]): string | undefined {
  const subjects = texts.filter((t) => t.type === 'subject');
  const bodies = texts.filter((t) => t.type !== 'subject');
  if (subjects.length !== 1) return `an email template needs exactly one text of type "subject" (it has ${subjects.length})`;
  if ((subjects[0]!.contentType ?? 'text/plain') !== 'text/plain') return 'the subject text must be text/plain';
  if (bodies.length === 0) return 'an email template needs a body text (text/plain, text/html or both)';
  for (const type of ['text/plain', 'text/html']) {
    if (bodies.filter((t) => (t.contentType ?? 'text/plain') === type).length > 1) return `an email template may have one ${type} body, not more`;
  }
  return undefined;
}

/** Parses the texts of a template that passed `emailTemplateProblem`. */
export function compileEmailTemplate(texts: ResponseText[]): EmailTemplate {
  const body = (type: string) => texts.find((t) => t.type !== 'subject' && (t.contentType ?? 'text/plain') === type);
  const html = body('text/html');
  const text = body('text/plain');
  return {
    subject: parseTemplate(texts.find((t) => t.type === 'subject')!.content),
    html: html && parseTemplate(html.content),
    text: text && parseTemplate(text.content),
  };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for HTML text and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export type EmailPart = 'subject' | 'html' | 'text';

/** The values each part of an email lacks (only the parts that lack any). */
export type MissingByPart = Partial<Record<EmailPart, string[]>>;

/**
 * Fills subject, HTML and text from the same values: substitutions are HTML-escaped in the HTML
 * part only (the template's own markup is kept as written). Line breaks in the subject become
 * spaces (a header is one line). Missing values are reported once, in order of appearance, and
 * per part.
 */
export function renderEmail(
  template: EmailTemplate,
  values: (name: string) => string | undefined,
): { ok: true; email: RenderedEmail } | { ok: false; missing: string[]; missingIn: MissingByPart } {
  const subject = renderTemplate(template.subject, values);
  const html = template.html && renderTemplate(template.html, values, escapeHtml);
  const text = template.text && renderTemplate(template.text, values);
  if (!subject.ok || (html && !html.ok) || (text && !text.ok)) {
    const missingIn: MissingByPart = {};
    for (const [part, r] of [['subject', subject], ['html', html], ['text', text]] as const) if (r && !r.ok) missingIn[part] = r.missing;
    return { ok: false, missing: [...new Set(Object.values(missingIn).flat())], missingIn };
  }
  return { ok: true, email: { subject: subject.text.replace(/\s*[\r\n]+\s*/g, ' '), html: html?.text, text: text?.text } };
}

/** Why a rendered email is too long to send (the limits of `EmailRenderedV1`), or undefined. */
export function emailTooLong(email: RenderedEmail): string | undefined {
  if (email.subject.length > MAX_EMAIL_SUBJECT_CHARACTERS) return `subject has ${email.subject.length} characters; at most ${MAX_EMAIL_SUBJECT_CHARACTERS} are allowed`;
  for (const [part, body] of [['HTML', email.html], ['text', email.text]] as const) {
    if (body && body.length > MAX_EMAIL_BODY_CHARACTERS) return `${part} body has ${body.length} characters; at most ${MAX_EMAIL_BODY_CHARACTERS} are allowed`;
  }
  return undefined;
}
