import { CountryCode, isSupportedCountry, parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js/max';

export type { CountryCode } from 'libphonenumber-js/max';

export type PhoneNumberResult = { ok: true; e164: string } | { ok: false; reason: string };

/** E.164: a plus, a non-zero country digit, at most 15 digits in all (same rule as @herald/contracts). */
const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * What a phone cell may contain: an optional leading `+` and digits with the usual separators.
 * Checked before parsing because libphonenumber-js would otherwise dig a number out of any text
 * ("call +1 201 555 0123 now") and silently drop an extension ("… ext. 5"), neither of which
 * belongs in an SMS address column.
 */
const PHONE_CHARACTERS = /^\+?[0-9\s().\-/]+$/;

const LENGTH_PROBLEMS: Record<string, string> = {
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'wrong length',
};

/**
 * Normalises a phone number as people write it into E.164 (`+12015550123`).
 *
 * - International input (`+44 20 7946 0958`) needs no region; `defaultRegion` is ignored for it.
 * - National input (`(201) 555-0123`, `020 7946 0958`) needs `defaultRegion`, the ISO 3166 code of
 *   the country it is written for; the region's international prefix works too (`0049 30 …` in DE).
 * - Validity uses libphonenumber's full metadata (number ranges per country, not only lengths), so a
 *   well-formed number in an unallocated range is refused.
 */
export function normalizePhoneNumber(raw: string, defaultRegion?: CountryCode): PhoneNumberResult {
  const input = typeof raw === 'string' ? raw.trim() : '';
  if (input === '') return { ok: false, reason: 'empty phone number' };
  if (!PHONE_CHARACTERS.test(input) || !/\d/.test(input)) return { ok: false, reason: 'not a phone number' };
  if (defaultRegion !== undefined && !isSupportedCountry(defaultRegion)) {
    return { ok: false, reason: `unknown default region ${String(defaultRegion)}` };
  }
  const international = input.startsWith('+');
  if (!international && defaultRegion === undefined) {
    return { ok: false, reason: 'missing country code and no default region' };
  }

  const parsed = parsePhoneNumberFromString(input, defaultRegion);
  if (!parsed) {
    const problem = validatePhoneNumberLength(input, defaultRegion);
    if (problem === 'INVALID_COUNTRY') {
      return { ok: false, reason: international ? 'unknown country calling code' : `not a number of region ${defaultRegion}` };
    }
    const length = problem && LENGTH_PROBLEMS[problem];
    return { ok: false, reason: length ? `${length} to be a phone number` : 'not a phone number' };
  }
  if (!parsed.isValid()) {
    const region = parsed.country ?? (international ? undefined : defaultRegion);
    const where = region ? `region ${region}` : `country calling code +${parsed.countryCallingCode}`;
    const problem = validatePhoneNumberLength(input, defaultRegion);
    const detail = problem && LENGTH_PROBLEMS[problem] ? ` (${LENGTH_PROBLEMS[problem]})` : '';
    return { ok: false, reason: `invalid for ${where}${detail}` };
  }
  const e164 = parsed.number;
  // Defensive: libphonenumber's output is E.164 for every valid number, but the contracts check this shape.
  if (!isE164(e164)) return { ok: false, reason: 'not representable in E.164' };
  return { ok: true, e164 };
}

/** True when `s` is already in E.164 form (`+` and 2–15 digits, no separators). Shape only, not validity. */
export function isE164(s: string): boolean {
  return typeof s === 'string' && E164.test(s);
}
