import { DomainError } from '@herald/service';
import { Readable } from 'node:stream';
import { normalizePhoneNumber, type CountryCode } from '@herald/channels';
import { copyLine, neutralizeCell, PHONE_MEMO_SIZE, rawRow, rowValidatorFor, UploadGuard } from './csv-rows';

const list = {
  columnNames: ['id', 'name', 'phone', 'email', 'note'],
  phoneColumns: [{ columnName: 'phone' }],
  emailColumns: [{ columnName: 'email' }],
  defaultRegion: 'US',
  trimWhitespace: true,
};

async function guarded(chunks: Buffer[], max = 1_000): Promise<Buffer> {
  const guard = new UploadGuard(max);
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks).pipe(guard).on('data', (c: Buffer) => out.push(c)).on('end', resolve).on('error', reject);
  });
  return Buffer.concat(out);
}

describe('rowValidatorFor (header row)', () => {
  it('refuses a header column the list does not have, naming it', () => {
    expect(() => rowValidatorFor(list, ['id', 'name', 'phone', 'email', 'fax'], 'id')).toThrow(/unknown column in the header row: "fax"/);
  });
  it('refuses a missing contact-id, phone or email column, naming it; other columns may be missing', () => {
    expect(() => rowValidatorFor(list, ['name', 'phone', 'email'], 'id')).toThrow(/contact id column "id"/);
    expect(() => rowValidatorFor(list, ['id', 'email'], undefined)).toThrow(/phone column "phone"/);
    expect(() => rowValidatorFor(list, ['id', 'phone'], undefined)).toThrow(/email column "email"/);
    expect(rowValidatorFor(list, [' phone ', 'email'], undefined).columns).toEqual(['phone', 'email']);
  });
  it('refuses a column twice', () => {
    expect(() => rowValidatorFor(list, ['phone', 'email', 'phone'], undefined)).toThrow(DomainError);
  });
});

describe('RowValidator.check', () => {
  const v = rowValidatorFor(list, ['id', 'name', 'phone', 'email'], 'id');
  it('normalises phone (default region) and email, trims', () => {
    const ok = v.check([' c1 ', ' Ada ', '(201) 555-0123', 'Ada@Example.ORG ']);
    expect(ok).toEqual({ id: 'c1', json: expect.any(String) });
    expect(JSON.parse((ok as { json: string }).json)).toEqual({ id: 'c1', name: 'Ada', phone: '+12015550123', email: 'Ada@example.org' });
    const quoted = v.check(['c"2\\', 'line\nbreak', '', '']);
    expect(JSON.parse((quoted as { json: string }).json)).toEqual({ id: 'c"2\\', name: 'line\nbreak', phone: '', email: '' });
  });
  it('reports each bad cell with its column', () => {
    expect(v.check(['c2', 'Bob', '12', 'not-an-email'])).toEqual({
      problems: [
        { column: 'phone', reason: expect.stringMatching(/^invalid phone number: /) },
        { column: 'email', reason: 'invalid email address: missing @' },
      ],
    });
  });
  it('reports extra and missing fields, and a missing id', () => {
    expect(v.check(['c3', 'x', '+12015550123', 'a@b.org', 'extra'])).toEqual({ problems: [{ column: null, reason: '1 extra field: the row has 5 fields, the header 4' }] });
    expect(v.check(['c3', 'x'])).toEqual({ problems: [{ column: null, reason: '2 missing fields: the row has 2 fields, the header 4' }] });
    expect(v.check(['', 'x', '', ''])).toEqual({ problems: [{ column: 'id', reason: 'missing contact id' }] });
  });
  it('needs a country code without a default region', () => {
    const noRegion = rowValidatorFor({ ...list, defaultRegion: null }, ['phone', 'email'], undefined);
    expect(noRegion.check(['2015550123', ''])).toEqual({ problems: [{ column: 'phone', reason: 'invalid phone number: missing country code and no default region' }] });
    const ok = noRegion.check(['+1 201 555 0123', '']);
    expect('id' in ok && ok.id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('RowValidator phone memo', () => {
  // A varied sample: national and international, separators, other regions, short, long,
  // unallocated ranges, letters, extensions, lone punctuation — each seen several times.
  const sample = [
    '(201) 555-0123', '201-555-0123', '201.555.0123', '2015550123', '1 201 555 0123', '+1 201 555 0123', '+12015550123',
    '(212) 555-0199', '555-01', '12', '0', '+', '()', '+1', '+999 123 456', '+44 20 7946 0958', '020 7946 0958', '07700 900123',
    '+49 30 901820', '030 901820', '0049 30 901820', '011 44 20 7946 0958', '+33 1 42 68 53 00', '+81 3-1234-5678',
    '+1 800 555 0100', '(800) 555-0100', '+1 201 555 0123 ext. 5', 'call 201 555 0123', '201 555 0123 5', '+12015550123456789',
    '+1 (201) 555-0123', ' 2015550123 ', '+61 2 9374 4000', '+7 495 123-45-67', '+86 10 1234 5678', '999', '911', '+1 911',
    '(1) 201 555 0123', '//201//5550123', '+0 201 555 0123', '00 1 201 555 0123', '(684) 733-1234', '(787) 555-0123', '(416) 555-0123',
  ];
  for (const region of ['US', 'GB', 'DE', null] as const) {
    it(`decides as normalizePhoneNumber does, repeated values included (region ${region ?? 'none'})`, () => {
      const v = rowValidatorFor({ ...list, defaultRegion: region }, ['phone', 'email'], undefined);
      for (let round = 0; round < 3; round++) {
        for (const raw of sample) expect(v.phone(raw)).toEqual(normalizePhoneNumber(raw, (region ?? undefined) as CountryCode | undefined));
      }
    });
  }
  it('starts afresh past PHONE_MEMO_SIZE distinct values and still decides the same', () => {
    const v = rowValidatorFor(list, ['phone', 'email'], undefined);
    const raw = (i: number) => `(2${String(i % 100).padStart(2, '0')}) 5${String(Math.floor(i / 100) % 100).padStart(2, '0')}-${String(i % 10_000).padStart(4, '0')}`;
    for (let i = 0; i < PHONE_MEMO_SIZE + 50; i++) v.phone(raw(i));
    for (let i = PHONE_MEMO_SIZE - 50; i < PHONE_MEMO_SIZE + 100; i++) expect(v.phone(raw(i))).toEqual(normalizePhoneNumber(raw(i), 'US'));
  });
});

describe('helpers', () => {
  it('escapes COPY text', () => {
    expect(copyLine(7, 'a\tb\\', JSON.stringify({ n: 'x\\y\n' }))).toBe('7\ta\\tb\\\\\t{"n":"x\\\\\\\\y\\\\n"}\n');
  });
  it('neutralises formula cells', () => {
    expect(['=1+1', '+1', '-2', '@x', '\tx', '\rx', 'ok'].map(neutralizeCell)).toEqual(["'=1+1", "'+1", "'-2", "'@x", "'\tx", "'\rx", 'ok']);
  });
  it('writes a row back as one CSV line', () => {
    expect(rawRow(['a', 'b,c', 'd"e', 'f\ng'])).toBe('a,"b,c","d""e","f\ng"');
  });
});

describe('UploadGuard', () => {
  it('passes UTF-8 split across chunks untouched', async () => {
    const text = Buffer.from('name\nZoë 🚀 ünïcödé\n');
    const chunks = Array.from(text).map((b) => Buffer.from([b]));
    expect((await guarded(chunks)).toString()).toBe(text.toString());
  });
  it('stops past the size limit with 413', async () => {
    await expect(guarded([Buffer.alloc(600, 'a'), Buffer.alloc(600, 'a')], 1_000)).rejects.toMatchObject({ status: 413, code: 'import.too.large' });
  });
  it('refuses NUL bytes and invalid UTF-8 with 415', async () => {
    await expect(guarded([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00])])).rejects.toMatchObject({ status: 415, code: 'import.not.csv' });
    await expect(guarded([Buffer.from([0x61, 0xff, 0x62])])).rejects.toMatchObject({ status: 415 });
    await expect(guarded([Buffer.from([0x61, 0xc3])])).rejects.toMatchObject({ status: 415 });
  });
});
