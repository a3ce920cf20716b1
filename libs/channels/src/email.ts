import { domainToASCII } from 'node:url';

export type EmailAddressResult = { ok: true; address: string; domain: string } | { ok: false; reason: string };

/** RFC 5322 `atext`: what a dot-atom local part may contain besides dots. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
/** One DNS label in its ASCII (A-label) form: letters, digits, inner hyphens, 1–63 characters. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

const MAX_LOCAL_PART = 64; // RFC 5321 §4.5.3.1.1
const MAX_DOMAIN = 253; // RFC 5321 allows 255 octets; DNS names in text form top out at 253
const MAX_ADDRESS = 254; // RFC 5321 path limit (256) less the angle brackets

/**
 * Normalises an email address for sending: trimmed, the domain lower-cased (domains are
 * case-insensitive), the local part kept exactly (RFC 5321 lets the receiving host treat it as
 * case-sensitive).
 *
 * A pragmatic subset of RFC 5321/5322, the one mail providers accept for sending:
 * - exactly one `@`; a dot-atom local part of 1–64 characters (RFC 5322 `atext` and single inner
 *   dots); quoted local parts (`"a b"@x.org`), comments and display names are refused;
 * - a domain name with at least one dot, labels of 1–63 letters/digits/inner hyphens, a top-level
 *   label that is not all digits, at most 253 characters; IP literals (`[192.0.2.1]`) are refused.
 *   An internationalised domain (`bücher.example`) is checked in its ASCII form and kept as written;
 * - at most 254 characters in all.
 */
export function normalizeEmailAddress(raw: string): EmailAddressResult {
  const input = typeof raw === 'string' ? raw.trim() : '';
  if (input === '') return { ok: false, reason: 'empty email address' };
  if (/\s/.test(input)) return { ok: false, reason: 'contains whitespace' };
  const at = input.split('@');
  if (at.length === 1) return { ok: false, reason: 'missing @' };
  if (at.length > 2) return { ok: false, reason: 'more than one @' };
  const [local, rawDomain] = at as [string, string];

  if (local === '') return { ok: false, reason: 'empty local part' };
  if (local.length > MAX_LOCAL_PART) return { ok: false, reason: `local part longer than ${MAX_LOCAL_PART} characters` };
  if (local.startsWith('"')) return { ok: false, reason: 'quoted local parts are not supported' };
  if (local.startsWith('.') || local.endsWith('.')) return { ok: false, reason: 'local part starts or ends with a dot' };
  if (local.includes('..')) return { ok: false, reason: 'local part has consecutive dots' };
  if (!local.split('.').every((atom) => ATEXT.test(atom))) {
    return { ok: false, reason: 'local part has a character not allowed in an address' };
  }

  const domain = rawDomain.toLowerCase();
  if (domain === '') return { ok: false, reason: 'empty domain' };
  if (domain.startsWith('[')) return { ok: false, reason: 'IP address literals are not supported' };
  if (domain.endsWith('.')) return { ok: false, reason: 'domain ends with a dot' };
  // ASCII domains are checked as they are; others through their A-label (punycode) form.
  const ascii = /^[\x21-\x7e]*$/.test(domain) ? domain : domainToASCII(domain);
  if (ascii === '') return { ok: false, reason: 'domain is not a valid internationalised domain name' };
  if (ascii.length > MAX_DOMAIN) return { ok: false, reason: `domain longer than ${MAX_DOMAIN} characters` };
  const labels = ascii.split('.');
  if (labels.length < 2) return { ok: false, reason: 'domain has no dot' };
  for (const label of labels) {
    if (label === '') return { ok: false, reason: 'domain has an empty label' };
    if (label.length > 63) return { ok: false, reason: 'domain label longer than 63 characters' };
    if (!LABEL.test(label)) return { ok: false, reason: `invalid domain label "${label}"` };
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return { ok: false, reason: 'top-level domain is numeric' };

  const address = `${local}@${domain}`;
  if (local.length + 1 + ascii.length > MAX_ADDRESS) {
    return { ok: false, reason: `address longer than ${MAX_ADDRESS} characters` };
  }
  return { ok: true, address, domain };
}
