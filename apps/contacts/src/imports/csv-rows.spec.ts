import { DomainError } from '@herald/service';
import { Readable } from 'node:stream';
import { copyLine, neutralizeCell, rawRow, rowValidatorFor, UploadGuard } from './csv-rows';

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
