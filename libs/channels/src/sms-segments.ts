/**
 * SMS encoding and segment counting (3GPP TS 23.038 / GSM 03.38 and TS 23.040 concatenation).
 *
 * The rule, as carriers bill it:
 * - A text that uses only the GSM 7-bit default alphabet (the basic table below, plus the
 *   extension table) is sent as **GSM-7**. Its length is counted in septets: a basic character
 *   is 1 septet; an extension character (`^ { } \ [ ~ ] | €` and form feed) is an escape plus a
 *   character, 2 septets.
 * - Any other character (an accent outside the table, Cyrillic, CJK, an emoji, a smart quote …)
 *   makes the whole text **UCS-2** (in practice UTF-16). Its length is counted in UTF-16 code
 *   units: a character outside the Basic Multilingual Plane (most emoji) is a surrogate pair, 2 units.
 * - A text that fits one SMS has 160 septets (GSM-7) or 70 units (UCS-2). A longer text is split
 *   into concatenated segments, each carrying a 6-octet user data header (UDH), which leaves
 *   153 septets (GSM-7) or 67 units (UCS-2) per segment.
 * - A character is never split across two segments: an extension character's escape and its
 *   character travel together, and so do the two halves of a surrogate pair. When the next
 *   character does not fit in what is left of a segment, that room is wasted and the character
 *   starts the next segment. So `segments` can exceed ceil(characters / perSegment).
 * - An empty text has 0 segments (there is nothing to send).
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  characters: number;
  segments: number;
  /** Capacity of each segment at this length: 160/70 for a single SMS, 153/67 when concatenated. */
  perSegment: number;
}

/** Longest body Herald sends: 5 concatenated GSM-7 segments (5 × 153 septets). */
export const MAX_SMS_CHARACTERS = 765;

export const GSM7_SINGLE_SEGMENT = 160;
export const GSM7_CONCATENATED_SEGMENT = 153;
export const UCS2_SINGLE_SEGMENT = 70;
export const UCS2_CONCATENATED_SEGMENT = 67;

/**
 * GSM 03.38 default alphabet, basic table, in code order 0x00–0x7F (0x1B, the escape to the
 * extension table, is not a character of its own and is left out). 0x09 is Ç as in the Unicode
 * consortium's GSM0338 mapping.
 */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞ' /* 0x1B escape */ + 'ÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** GSM 03.38 extension table: each is sent as ESC + character, 2 septets. */
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

/** 'GSM-7' when every character is in the GSM 03.38 basic or extension table, else 'UCS-2'. */
export function smsEncodingOf(text: string): SmsEncoding {
  for (const ch of text) {
    if (!BASIC.has(ch) && !EXTENSION.has(ch)) return 'UCS-2';
  }
  return 'GSM-7';
}

/** Encoding, length and number of segments of an SMS body; see the rule at the top of this file. */
export function countSmsSegments(text: string): SmsSegmentCount {
  const encoding = smsEncodingOf(text);
  // Size of each indivisible unit: a character with its escape, or a whole surrogate pair.
  const units: number[] = [];
  for (const ch of text) {
    units.push(encoding === 'GSM-7' ? (EXTENSION.has(ch) ? 2 : 1) : ch.length);
  }
  const characters = units.reduce((sum, n) => sum + n, 0);
  const single = encoding === 'GSM-7' ? GSM7_SINGLE_SEGMENT : UCS2_SINGLE_SEGMENT;
  if (characters <= single) {
    return { encoding, characters, segments: characters === 0 ? 0 : 1, perSegment: single };
  }
  const perSegment = encoding === 'GSM-7' ? GSM7_CONCATENATED_SEGMENT : UCS2_CONCATENATED_SEGMENT;
  let segments = 1;
  let used = 0;
  for (const n of units) {
    if (used + n > perSegment) {
      segments += 1;
      used = 0;
    }
    used += n;
  }
  return { encoding, characters, segments, perSegment };
}
