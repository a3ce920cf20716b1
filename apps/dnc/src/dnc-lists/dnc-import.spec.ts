import { parse } from 'csv-parse';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '@herald/service';
import { EntryRowsTransform, uploadFailure, ValidateRows } from './dnc-import.service';
import { entryRows, MAX_REJECTIONS_KEPT } from './dnc-rows';

async function run(csv: string | Buffer, contactMethod: 'Phone' | 'Email' | 'Any' = 'Phone', expiry: Date | null = null, validate?: ValidateRows, inFlight?: number) {
  const rows = new EntryRowsTransform({ contactMethod, defaultRegion: 'US' }, expiry, validate, inFlight);
  let out = '';
  await pipeline(
    Readable.from([csv]),
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true }),
    rows,
    new Writable({ write: (c, _e, done) => ((out += c.toString()), done()) }),
  );
  return { counts: rows.counts, lines: out.split('\n').filter(Boolean).map((l) => l.split('\t')) };
}

describe('EntryRowsTransform', () => {
  it('reads the first column without a header, normalising to E.164, and reports bad rows by line', async () => {
    const { counts, lines } = await run('(202) 555-0101\nnot a number\n+1 202 555 0102\n');
    expect(lines).toEqual([
      ['1', '+12025550101', '\\N'],
      ['3', '+12025550102', '\\N'],
    ]);
    expect(counts).toMatchObject({ total: 3, completed: 2, rejected: 1 });
    expect(counts.rejections).toEqual([{ row: 2, value: 'not a number', reason: 'invalid phone number: not a phone number' }]);
  });

  it('uses a named address column and expiry column, with a BOM, CRLF, quotes and empty lines', async () => {
    const csv = '\uFEFFname,Phone Number,expirationDateTime\r\n"Doe, Jane",2025550103,2030-01-01T00:00Z\r\n\r\nBob,2025550104,\r\nEve,2025550105,someday\r\n';
    const { counts, lines } = await run(csv);
    expect(lines).toEqual([
      ['2', '+12025550103', '2030-01-01T00:00:00.000Z'],
      ['4', '+12025550104', '\\N'],
    ]);
    expect(counts.rejections).toEqual([{ row: 5, value: 'someday', reason: expect.stringMatching(/^invalid expiration date-time/) }]);
  });

  it('lower-cases emails, refuses phone numbers on an email list and emails on a phone list', async () => {
    expect((await run('email\nJane@Example.ORG\n2025550101\n', 'Email')).lines).toEqual([['2', 'jane@example.org', '\\N']]);
    const phone = await run('jane@example.org\n', 'Phone');
    expect(phone.counts.rejections[0]!.reason).toMatch(/takes phone numbers only/);
    const any = await run('address\njane@example.org\n2025550101\n', 'Any');
    expect(any.lines.map((l) => l[1])).toEqual(['jane@example.org', '+12025550101']);
  });

  it('applies the default expiry to rows without their own', async () => {
    const { lines } = await run('2025550101\n', 'Phone', new Date('2031-05-01T00:00:00Z'));
    expect(lines[0]![2]).toBe('2031-05-01T00:00:00.000Z');
  });

  it('counts every rejected row but keeps only the first ones', async () => {
    const { counts } = await run(Array.from({ length: MAX_REJECTIONS_KEPT + 5 }, () => 'x').join('\n'));
    expect(counts.rejected).toBe(MAX_REJECTIONS_KEPT + 5);
    expect(counts.rejections).toHaveLength(MAX_REJECTIONS_KEPT);
  });

  it('takes batches validated concurrently, finishing out of order, in the file order: same lines, counts and first rejections', async () => {
    // 30,000 rows (several batches): every 7th row bad, every 11th a repeat, so rejections span batches.
    const csv = Array.from({ length: 30_000 }, (_, i) => (i % 7 === 3 ? `bad ${i}` : `+1202555${String(i % 11 === 0 ? 0 : i % 10_000).padStart(4, '0')}`)).join('\n');
    const inline = await run(csv);
    let calls = 0;
    const shuffled: ValidateRows = (batch) => new Promise((resolve) => setTimeout(() => resolve(entryRows(batch)), [30, 0, 15, 5][calls++ % 4]));
    const concurrent = await run(csv, 'Phone', null, shuffled, 4);
    expect(calls).toBeGreaterThan(4);
    expect(concurrent.lines).toEqual(inline.lines);
    expect(concurrent.counts).toEqual(inline.counts);
    expect(inline.counts).toMatchObject({ total: 30_000, rejected: 4_286 });
    expect(concurrent.counts.rejections).toHaveLength(MAX_REJECTIONS_KEPT);
    expect(concurrent.counts.rejections[0]).toEqual({ row: 4, value: 'bad 3', reason: 'invalid phone number: not a phone number' });
  });

  it('hands on a validated batch at once, while the upload is still open (nothing more written)', async () => {
    const rows = new EntryRowsTransform({ contactMethod: 'Phone', defaultRegion: 'US' }, null, (batch) => Promise.resolve(entryRows(batch)), 4);
    const out: string[] = [];
    rows.on('data', (c: Buffer) => out.push(c.toString()));
    for (let i = 0; i < 4_000; i++) rows.write({ record: [`+1202555${String(i).padStart(4, '0')}`], info: { lines: i + 1 } });
    await new Promise((r) => setTimeout(r, 50));
    expect(out.join('').split('\n').filter(Boolean)).toHaveLength(4_000); // the first batch, with three more allowed in flight
    expect(rows.counts.completed).toBe(4_000);
    rows.end();
  });

  it('fails the stream when a batch fails to validate', async () => {
    const failing: ValidateRows = () => Promise.reject(new Error('worker died'));
    await expect(run(Array.from({ length: 10_000 }, () => '2025550101').join('\n'), 'Phone', null, failing, 2)).rejects.toThrow('worker died');
  });

  it('answers 400 dnc.import.malformed for a CSV that does not parse, and leaves any other failure a server error', async () => {
    const unparsable = await run('phone\n2025550310\n"2025550311\n').catch((e: unknown) => e);
    expect(uploadFailure(unparsable)).toMatchObject({ code: 'dnc.import.malformed', status: 400 });
    expect((uploadFailure(unparsable) as DomainError).message).toMatch(/^the file is not valid CSV: Quote Not Closed/);

    const threadFailed = await run('2025550101\n', 'Phone', null, () => Promise.reject(new Error('worker out of memory'))).catch((e: unknown) => e);
    expect(threadFailed).toBeInstanceOf(Error);
    expect(uploadFailure(threadFailed)).toBe(threadFailed);
    const databaseGone = new Error('Connection terminated unexpectedly');
    expect(uploadFailure(databaseGone)).toBe(databaseGone);
  });
});
