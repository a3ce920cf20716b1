import { isE164, normalizePhoneNumber } from './phone';

describe('normalizePhoneNumber', () => {
  it.each([
    ['(201) 555-0123', 'US', '+12015550123'],
    ['201.555.0123', 'US', '+12015550123'],
    ['2015550123', 'US', '+12015550123'],
    ['1 201 555 0123', 'US', '+12015550123'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['030 123456', 'DE', '+4930123456'],
    ['0049 30 123456', 'DE', '+4930123456'], // the region's international prefix
    ['001 201 555 0123', 'FR', '+12015550123'],
  ] as const)('normalises national format %j in %s to %s', (raw, region, e164) => {
    expect(normalizePhoneNumber(raw, region)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['+1 201 555 0123', '+12015550123'],
    ['+1-201-555-0123', '+12015550123'],
    ['+44 20 7946 0958', '+442079460958'],
    ['  +33 6 12 34 56 78\n', '+33612345678'],
    ['+12015550123', '+12015550123'],
  ])('normalises international format %j without a region', (raw, e164) => {
    expect(normalizePhoneNumber(raw)).toEqual({ ok: true, e164 });
  });

  it('lets the country code of an international number win over the default region', () => {
    expect(normalizePhoneNumber('+44 20 7946 0958', 'US')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it.each([
    ['', undefined, 'empty phone number'],
    ['   ', 'US', 'empty phone number'],
    ['hello', 'US', 'not a phone number'],
    ['call +1 201 555 0123 now', undefined, 'not a phone number'],
    ['+1 201 555 0123 ext. 5', undefined, 'not a phone number'],
    ['++12015550123', undefined, 'not a phone number'],
    ['---', 'US', 'not a phone number'],
    ['2015550123', undefined, 'missing country code and no default region'],
    ['1234567890', 'US', 'invalid for region US'],
    ['123', 'US', 'invalid for region US (too short)'],
    ['07700 900123', 'GB', 'invalid for region GB'], // Ofcom's range reserved for drama
    ['+1 555 0143', undefined, 'invalid for country calling code +1 (too short)'],
    ['+44 20 7946 0958 12', undefined, 'invalid for country calling code +44 (too long)'],
    ['+44 20 7946 0958 1234 5678 90', undefined, 'too long to be a phone number'],
    ['+999 1234567', undefined, 'unknown country calling code'],
  ] as const)('rejects %j (region %s): %s', (raw, region, reason) => {
    expect(normalizePhoneNumber(raw, region)).toEqual({ ok: false, reason });
  });

  it('rejects an unknown default region instead of guessing', () => {
    expect(normalizePhoneNumber('2015550123', 'XX' as never)).toEqual({ ok: false, reason: 'unknown default region XX' });
  });

  it('always returns a string that isE164 accepts', () => {
    const r = normalizePhoneNumber('(201) 555-0123', 'US');
    expect(r.ok && isE164(r.e164)).toBe(true);
  });
});

describe('isE164', () => {
  it.each(['+12015550123', '+442079460958', '+861012345678', '+123456789012345'])('accepts %s', (s) => {
    expect(isE164(s)).toBe(true);
  });
  it.each(['12015550123', '+0123456789', '+1 201 555 0123', '+1234567890123456', '+1', '', '+12015550123 '])(
    'refuses %j',
    (s) => {
      expect(isE164(s)).toBe(false);
    },
  );
});

describe('libphonenumber-js as patched (patches/, applied by `npm ci`)', () => {
  it("compiles each metadata pattern once, not on every number (the unpatched library builds ~8.5 RegExps per number, half a number's validation time)", () => {
    normalizePhoneNumber('+12015550123');
    normalizePhoneNumber('020 7946 0958', 'GB');
    const Real = globalThis.RegExp;
    let built = 0;
    globalThis.RegExp = new Proxy(Real, {
      construct: (target, args) => (built++, Reflect.construct(target, args)),
      apply: (target, self, args) => (built++, Reflect.apply(target, self, args)),
    });
    try {
      for (let i = 0; i < 100; i++) {
        expect(normalizePhoneNumber(`+1201555${1000 + i}`).ok).toBe(true);
        expect(normalizePhoneNumber(`020 7946 ${1000 + i}`, 'GB').ok).toBe(true);
      }
    } finally {
      globalThis.RegExp = Real;
    }
    expect(built / 200).toBeLessThan(3);
  });
});
