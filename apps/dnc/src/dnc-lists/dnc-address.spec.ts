import { accepts, neutraliseCell, normaliseEntry } from './dnc-address';

describe('normaliseEntry', () => {
  it('normalises national phone numbers in the list region and international ones as they are', () => {
    expect(normaliseEntry('(202) 555-0123', 'phone', 'US')).toEqual({ ok: true, kind: 'phone', address: '+12025550123' });
    expect(normaliseEntry('+44 20 7946 0958', 'phone', 'US')).toEqual({ ok: true, kind: 'phone', address: '+442079460958' });
  });

  it('lower-cases email addresses whole, so they compare case-insensitively', () => {
    expect(normaliseEntry('  Jane.Doe@Example.COM ', 'email', 'US')).toEqual({ ok: true, kind: 'email', address: 'jane.doe@example.com' });
  });

  it('refuses bad values with a reason', () => {
    expect(normaliseEntry('12', 'phone', 'US')).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid phone number/) });
    expect(normaliseEntry('nobody', 'email', 'US')).toMatchObject({ ok: false, reason: 'invalid email address: missing @' });
    expect(normaliseEntry(42, 'phone', 'US')).toEqual({ ok: false, reason: 'not a string' });
  });

  it('decides the kind by the @ for lists that take both', () => {
    expect(normaliseEntry('a@b.org', 'any', 'US')).toMatchObject({ kind: 'email' });
    expect(normaliseEntry('2025550123', 'any', 'US')).toMatchObject({ kind: 'phone' });
  });

  it('reads back a cell that an export neutralised', () => {
    expect(normaliseEntry("'=x@example.org", 'email', 'US')).toEqual({ ok: true, kind: 'email', address: '=x@example.org' });
  });
});

describe('accepts', () => {
  it('matches the list contact method', () => {
    expect(accepts('Phone', 'email')).toBe(false);
    expect(accepts('Email', 'phone')).toBe(false);
    expect(accepts('Any', 'email')).toBe(true);
    expect(accepts('Phone', 'phone')).toBe(true);
  });
});

describe('neutraliseCell', () => {
  it('prefixes formula-like cells with an apostrophe', () => {
    for (const v of ['=1+1', '+tag@example.org', '-x@example.org', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseCell(v)).toBe(`'${v}`);
  });

  it('leaves E.164 numbers, plain text and dates alone', () => {
    expect(neutraliseCell('+12025550123')).toBe('+12025550123');
    expect(neutraliseCell('jane@example.org')).toBe('jane@example.org');
    expect(neutraliseCell('2026-01-01T00:00:00.000Z')).toBe('2026-01-01T00:00:00.000Z');
  });
});
