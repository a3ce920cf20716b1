import { normalizeEmailAddress, normalizePhoneNumber, type CountryCode } from '@herald/channels';
import type { ContactMethod } from './dnc-list.entity';

export type EntryKind = 'phone' | 'email';
export type NormalisedEntry = { ok: true; kind: EntryKind; address: string } | { ok: false; reason: string };

/** Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** An E.164 number: a spreadsheet reads it as a number, never as a formula, so it is exported as it is. */
const E164_CELL = /^\+[1-9]\d{1,14}$/;

/**
 * Normalises one DNC entry the way the filter stage compares addresses: phone numbers to E.164
 * (national numbers read in the list's region), email addresses validated and lower-cased whole
 * (Herald compares them case-insensitively). `kind` says what the caller expects; `any` decides by
 * the presence of an `@`.
 */
export function normaliseEntry(raw: unknown, kind: EntryKind | 'any', region: string): NormalisedEntry {
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  let value = raw.trim();
  // An exported cell neutralised with an apostrophe (see neutraliseCell) imports back as it was.
  if (value.startsWith("'") && FORMULA_START.test(value.slice(1))) value = value.slice(1);
  const actual: EntryKind = kind === 'any' ? (value.includes('@') ? 'email' : 'phone') : kind;
  if (actual === 'email') {
    const r = normalizeEmailAddress(value);
    return r.ok ? { ok: true, kind: 'email', address: r.address.toLowerCase() } : { ok: false, reason: `invalid email address: ${r.reason}` };
  }
  const r = normalizePhoneNumber(value, region as CountryCode);
  return r.ok ? { ok: true, kind: 'phone', address: r.e164 } : { ok: false, reason: `invalid phone number: ${r.reason}` };
}

/** Whether a list with this contact method takes entries of this kind. */
export function accepts(method: ContactMethod, kind: EntryKind): boolean {
  return method === 'Any' || (method === 'Phone' ? kind === 'phone' : kind === 'email');
}

/**
 * OWASP CSV injection: a cell beginning with `=`, `+`, `-`, `@`, tab or carriage return gets a
 * leading apostrophe, so a spreadsheet shows it as text instead of evaluating it. E.164 phone
 * numbers are left as they are: `+` and digits only evaluates to the number itself, and an
 * apostrophe would spoil the numbers for every other consumer of the file.
 */
export function neutraliseCell(value: string): string {
  if (!FORMULA_START.test(value) || E164_CELL.test(value)) return value;
  return `'${value}`;
}
