import { DomainError } from '@herald/service';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CheckRows, csvParser, neutralizeCell, RowBatches, RowNumbers, rowValidatorFor, UploadGuard } from './csv-rows';
import { checkRows, copyLine, rawRow, RowsBatch, RowsResult } from './row-batch';

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

/** Runs records (the header first) through RowBatches; answers what `take` received, in order. */
async function batched(records: string[][], check: CheckRows, batchRows: number, inFlight: number, batchChars = 1e9) {
  const taken: RowsResult[] = [];
  let read = 0;
  const batches = new RowBatches({
    header: (header) => ({ list, columns: rowValidatorFor(list, header, 'id').columns, contactIdColumn: 'id' }),
    check,
    take: (result) => void taken.push(result),
    batchRows,
    batchChars,
    inFlight,
    numbers: new RowNumbers(() => undefined),
    read: () => read++,
  });
  await pipeline(Readable.from(records), batches);
  const copy = Buffer.concat(taken.map((t) => t.copy)).toString();
  return { taken, copy, read, rejected: taken.flatMap((t) => t.rejected), rows: taken.reduce((n, t) => n + t.accepted + t.rejected.length, 0) };
}

describe('RowNumbers', () => {
  it('numbers records in file order, with the unreadable ones the parser reported ahead of them in their place', () => {
    const told: [number, string][] = [];
    const numbers = new RowNumbers((row, reason) => told.push([row, reason]));
    // The parser read the header and two records, then one it could not read, then two more, then one unreadable at the end.
    numbers.skipped(3, 'quote never closed');
    numbers.skipped(5, 'too long');
    expect([numbers.next(), numbers.next(), numbers.next()]).toEqual([1, 2, 3]);
    expect(told).toEqual([]);
    expect(numbers.next()).toBe(5);
    expect(told).toEqual([[4, 'quote never closed']]);
    expect(numbers.next()).toBe(6);
    numbers.end();
    expect(told).toEqual([
      [4, 'quote never closed'],
      [7, 'too long'],
    ]);
  });
});

describe('csvParser into RowBatches', () => {
  async function parsed(csv: string) {
    const unreadable: [number, string][] = [];
    const taken: RowsResult[] = [];
    const numbers = new RowNumbers((row, reason) => unreadable.push([row, reason]));
    const batches = new RowBatches({
      header: (header) => ({ list, columns: rowValidatorFor(list, header, 'id').columns, contactIdColumn: 'id' }),
      check: checkRows,
      take: (result) => void taken.push(result),
      batchRows: 2,
      batchChars: 1e9,
      inFlight: 2,
      numbers,
      read: () => undefined,
    });
    await pipeline(Readable.from([csv]), csvParser(numbers), batches);
    const rowsOf = (copy: string) => copy.split('\n').filter(Boolean).map((l) => Number(l.split('\t')[0]));
    return { unreadable, imported: rowsOf(Buffer.concat(taken.map((t) => t.copy)).toString()), rejected: taken.flatMap((t) => t.rejected.map((r) => r.row)) };
  }

  it('numbers rows as a spreadsheet does: empty lines and a quoted field across lines, and a row it cannot read in its place', async () => {
    const csv = 'id,phone,email\nc1,+12015550001,a@example.org\n\nc2,"+1 201\n555 0002",b@example.org\nc3,12,c@example.org\nc4,+12015550004,d@example.org\n"c5,never closed\n';
    // Row 3 is empty; c2 (row 4, its phone across two lines) and c3 (row 5) are rejected for their phone numbers.
    expect(await parsed(csv)).toEqual({ imported: [2, 6], rejected: [4, 5], unreadable: [[7, expect.stringMatching(/^not readable as CSV: Quote Not Closed/)]] });
  });

  it('refuses a first line it cannot read: there is no header', async () => {
    await expect(parsed('"id,phone\nc1,+12015550001\n')).rejects.toMatchObject({ code: 'import.not.csv', status: 400 });
  });
});

describe('RowBatches and checkRows', () => {
  // 1,000 rows: every 7th with a bad phone, every 13th a field short; some cells need JSON and COPY escapes.
  const records = [
    ['id', 'name', 'phone', 'email'],
    ...Array.from({ length: 1_000 }, (_, i) =>
      i % 13 === 5 ? [`c${i}`, 'short'] : [`c${i}`, i % 10 === 0 ? `Zoë "q"\\t\tab` : `name ${i}`, i % 7 === 3 ? '12' : `+1 201 555 ${String(i).padStart(4, '0')}`, `User${i}@Example.org`],
    ),
  ];

  it('checks rows as RowValidator does: COPY lines of the accepted, row-numbered rejections with the raw row', async () => {
    const { copy, rejected, rows } = await batched(records.slice(0, 20), checkRows, 100, 1);
    expect(rows).toBe(19);
    const lines = copy.split('\n').filter(Boolean);
    // COPY text undone (backslash escapes), then the JSON: the cell with quotes, a backslash and a tab comes back as it was.
    const fields = lines[0]!.split('\t').map((f) => f.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c)));
    expect(fields.slice(0, 2)).toEqual(['2', 'c0']);
    expect(JSON.parse(fields[2]!)).toEqual({ id: 'c0', name: 'Zoë "q"\\t\tab', phone: '+12015550000', email: 'User0@example.org' });
    expect(JSON.parse(lines[1]!.split('\t')[2]!)).toEqual({ id: 'c1', name: 'name 1', phone: '+12015550001', email: 'User1@example.org' });
    expect(rejected.slice(0, 2)).toEqual([
      { row: 5, problems: [{ column: 'phone', reason: expect.stringMatching(/^invalid phone number/) }], raw: 'c3,name 3,12,User3@Example.org' },
      { row: 7, problems: [{ column: null, reason: '2 missing fields: the row has 2 fields, the header 4' }], raw: 'c5,short' },
    ]);
    expect(lines).toHaveLength(19 - rejected.length);
  });

  it('hands over the results in file order when batches finish out of order: same COPY lines and rejections as one at a time', async () => {
    const inline = await batched(records, checkRows, 64, 1);
    let calls = 0;
    const shuffled: CheckRows = (batch) => new Promise((resolve) => setTimeout(() => resolve(checkRows(batch)), [30, 0, 15, 5][calls++ % 4]));
    const concurrent = await batched(records, shuffled, 64, 4);
    expect(calls).toBe(16); // 1,000 rows in batches of 64
    expect(concurrent.taken.map((t) => t.accepted + t.rejected.length)).toEqual([...Array.from({ length: 15 }, () => 64), 40]);
    expect(concurrent.copy).toBe(inline.copy);
    expect(concurrent.rejected).toEqual(inline.rejected);
    expect(concurrent.rejected.map((r) => r.row)).toEqual([...concurrent.rejected.map((r) => r.row)].sort((a, b) => a - b));
    expect(inline.rows).toBe(1_000);
    expect(inline.rejected).toHaveLength(1_000 - inline.copy.split('\n').filter(Boolean).length);
  });

  it('fails the stream when a batch fails, and takes nothing after it', async () => {
    let calls = 0;
    const failing: CheckRows = (batch) => (calls++ === 1 ? Promise.reject(new Error('worker died')) : checkRows(batch));
    const taken: RowsResult[] = [];
    const batches = new RowBatches({
      header: (header) => ({ list, columns: header, contactIdColumn: 'id' }),
      check: failing,
      take: (r) => void taken.push(r),
      batchRows: 64,
      batchChars: 1e9,
      inFlight: 2,
      numbers: new RowNumbers(() => undefined),
      read: () => undefined,
    });
    await expect(pipeline(Readable.from(records), batches)).rejects.toThrow('worker died');
    await batches.settled();
    expect(taken.map((t) => t.accepted + t.rejected.length)).toEqual([64]);
  });

  it('sends a batch early once its cells reach batchChars characters', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => [`c${i}`, `+1201555000${i}`, `u${i}@example.org`]); // 28 characters a row
    const { taken, rows: checked } = await batched([['id', 'phone', 'email'], ...rows], checkRows, 8, 1, 56);
    expect(taken.map((t) => t.accepted)).toEqual([2, 2, 2, 2, 2]);
    expect(checked).toBe(10);
  });

  it('counts empty lines as rows without checking them, and the header as the first record not empty', async () => {
    const { copy, rejected, read } = await batched([[''], ['id', 'phone', 'email'], ['c1', '+12015550001', 'a@example.org'], [''], ['c2', '12', 'b@example.org']], checkRows, 10, 1);
    expect(read).toBe(2);
    expect(copy.split('\t')[0]).toBe('3');
    expect(rejected.map((r) => r.row)).toEqual([5]);
  });

  it('refuses a bad header through the stream', async () => {
    await expect(batched([['id', 'fax'], ['c1', 'x']], checkRows, 10, 1)).rejects.toMatchObject({ code: 'import.column.unknown', status: 400 });
  });

  it('reads the cells of a batch from one string and writes the COPY lines into a buffer of its own (movable across threads)', () => {
    const batch: RowsBatch = {
      list,
      columns: ['id', 'phone'],
      contactIdColumn: 'id',
      text: 'c1+12015550123',
      cellLengths: Uint32Array.from([2, 12]),
      widths: Uint32Array.from([2]),
      rows: Float64Array.from([2]),
    };
    const result = checkRows(batch);
    expect(Buffer.from(result.copy).toString()).toBe('2\tc1\t{"id":"c1","phone":"+12015550123"}\n');
    expect(result.copy.byteOffset).toBe(0);
    // A spare buffer (of an earlier batch, already COPYed) is written again.
    const spare = new ArrayBuffer(1024);
    const again = checkRows({ ...batch, spare });
    expect(again.copy.buffer).toBe(spare);
    expect(Buffer.from(again.copy).toString()).toBe(Buffer.from(result.copy).toString());
  });
});
