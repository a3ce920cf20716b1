import { MAX_SMS_CHARACTERS, countSmsSegments, smsEncodingOf } from './sms-segments';

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';
const EMOJI = '😀'; // U+1F600: one character, a surrogate pair (2 UTF-16 code units)

describe('smsEncodingOf', () => {
  it('keeps the whole GSM 03.38 basic table (127 characters besides the escape) in GSM-7', () => {
    expect([...GSM_BASIC]).toHaveLength(127);
    expect(smsEncodingOf(GSM_BASIC)).toBe('GSM-7');
  });

  it('keeps the extension table in GSM-7', () => {
    expect(smsEncodingOf(GSM_EXTENSION)).toBe('GSM-7');
  });

  it.each([
    ['backtick', '`'],
    ['small c cedilla (only the capital is in the table)', 'ç'],
    ['a acute', 'á'],
    ['right single quotation mark', '’'],
    ['tab', '\t'],
    ['Cyrillic', 'я'],
    ['CJK', '中'],
    ['emoji', EMOJI],
    ['the escape character itself', '\u001b'],
  ])('switches to UCS-2 for a %s', (_name, ch) => {
    expect(smsEncodingOf(`Your code is 1234 ${ch}`)).toBe('UCS-2');
  });

  it('treats the empty text as GSM-7', () => {
    expect(smsEncodingOf('')).toBe('GSM-7');
  });
});

describe('countSmsSegments', () => {
  describe('GSM-7', () => {
    it.each([
      [0, 0, 160],
      [1, 1, 160],
      [160, 1, 160],
      [161, 2, 153],
      [306, 2, 153],
      [307, 3, 153],
      [459, 3, 153],
      [460, 4, 153],
      [765, 5, 153],
      [766, 6, 153],
    ])('%i basic characters → %i segment(s) of %i', (length, segments, perSegment) => {
      expect(countSmsSegments('a'.repeat(length))).toEqual({ encoding: 'GSM-7', characters: length, segments, perSegment });
    });

    it('counts each extension character as two septets', () => {
      expect(countSmsSegments(GSM_EXTENSION)).toEqual({ encoding: 'GSM-7', characters: 20, segments: 1, perSegment: 160 });
      expect(countSmsSegments(GSM_BASIC).characters).toBe(127);
    });

    it('goes multi-part when an extension character takes the 160th and 161st septets', () => {
      expect(countSmsSegments('a'.repeat(158) + '€')).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1, perSegment: 160 });
      expect(countSmsSegments('a'.repeat(159) + '€')).toEqual({ encoding: 'GSM-7', characters: 161, segments: 2, perSegment: 153 });
      expect(countSmsSegments('{'.repeat(80))).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1, perSegment: 160 });
      expect(countSmsSegments('{'.repeat(80) + 'a')).toEqual({ encoding: 'GSM-7', characters: 161, segments: 2, perSegment: 153 });
    });

    it('never splits an escape sequence across segments', () => {
      // Fits exactly: 151 + 2 = 153 in the first segment.
      expect(countSmsSegments('a'.repeat(151) + '€' + 'a'.repeat(153))).toEqual({
        encoding: 'GSM-7',
        characters: 306,
        segments: 2,
        perSegment: 153,
      });
      // One septet short: the € moves whole to segment 2, leaving septet 153 of segment 1 empty,
      // so 306 septets need 3 segments where 306 / 153 would say 2.
      expect(countSmsSegments('a'.repeat(152) + '€' + 'a'.repeat(152))).toEqual({
        encoding: 'GSM-7',
        characters: 306,
        segments: 3,
        perSegment: 153,
      });
    });

    it('keeps MAX_SMS_CHARACTERS at five concatenated GSM-7 segments', () => {
      expect(MAX_SMS_CHARACTERS).toBe(765);
      expect(countSmsSegments('a'.repeat(MAX_SMS_CHARACTERS)).segments).toBe(5);
    });
  });

  describe('UCS-2', () => {
    it.each([
      [1, 1, 70],
      [70, 1, 70],
      [71, 2, 67],
      [134, 2, 67],
      [135, 3, 67],
      [335, 5, 67],
    ])('%i BMP characters → %i segment(s) of %i', (length, segments, perSegment) => {
      expect(countSmsSegments('я'.repeat(length))).toEqual({ encoding: 'UCS-2', characters: length, segments, perSegment });
    });

    it('makes a whole GSM text UCS-2 with a single non-GSM character', () => {
      expect(countSmsSegments('a'.repeat(69) + 'ç')).toEqual({ encoding: 'UCS-2', characters: 70, segments: 1, perSegment: 70 });
      expect(countSmsSegments('a'.repeat(70) + 'ç')).toEqual({ encoding: 'UCS-2', characters: 71, segments: 2, perSegment: 67 });
    });

    it('counts an emoji as two UTF-16 code units', () => {
      expect(countSmsSegments(EMOJI)).toEqual({ encoding: 'UCS-2', characters: 2, segments: 1, perSegment: 70 });
      expect(countSmsSegments(EMOJI.repeat(35))).toEqual({ encoding: 'UCS-2', characters: 70, segments: 1, perSegment: 70 });
      expect(countSmsSegments('a'.repeat(69) + EMOJI)).toEqual({ encoding: 'UCS-2', characters: 71, segments: 2, perSegment: 67 });
    });

    it('never splits a surrogate pair across segments', () => {
      // 65 + 2 = 67 fits the first segment exactly.
      expect(countSmsSegments('я'.repeat(65) + EMOJI + 'я'.repeat(67))).toEqual({
        encoding: 'UCS-2',
        characters: 134,
        segments: 2,
        perSegment: 67,
      });
      // 66 + 2 = 68 does not: the emoji starts segment 2 and 134 units need 3 segments.
      expect(countSmsSegments('я'.repeat(66) + EMOJI + 'я'.repeat(66))).toEqual({
        encoding: 'UCS-2',
        characters: 134,
        segments: 3,
        perSegment: 67,
      });
      // Only emoji: 33 fit a segment (66 units), so 67 of them (134 units) take 3 segments.
      expect(countSmsSegments(EMOJI.repeat(67))).toEqual({ encoding: 'UCS-2', characters: 134, segments: 3, perSegment: 67 });
    });
  });
});
