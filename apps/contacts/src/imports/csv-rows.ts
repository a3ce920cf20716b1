import { OrderedBatches } from '@herald/bulk';
import { DomainError } from '@herald/service';
import { parse, Parser } from 'csv-parse';
import { isUtf8 } from 'node:buffer';
import { Transform, TransformCallback, Writable } from 'node:stream';
import { ImportTarget, RowsBatch, RowsResult, RowValidator } from './row-batch';

/**
 * Checks the header row against the list and answers a validator for the data rows. Refused
 * (400): a header naming a column the list does not have, a column twice, and a missing
 * contact-id, phone or email column. Other list columns may be missing (contacts get no value).
 */
export function rowValidatorFor(list: ImportTarget, header: string[], contactIdColumn: string | undefined): RowValidator {
  const names = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const unknown = names.filter((n) => !list.columnNames.includes(n));
  if (unknown.length) {
    const shown = unknown.slice(0, 10).map((n) => (n === '' ? '(empty)' : `"${n.slice(0, 128)}"`));
    throw new DomainError(
      'import.column.unknown',
      `unknown column${unknown.length > 1 ? 's' : ''} in the header row: ${shown.join(', ')}${unknown.length > 10 ? ', …' : ''}; the list's columns are ${list.columnNames.map((c) => `"${c}"`).join(', ')}`,
      400,
      unknown.slice(0, 50).map((column) => ({ column })),
    );
  }
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) {
    throw new DomainError('import.column.duplicate', `column "${twice[0]}" appears twice in the header row`, 400, [{ column: twice[0] }]);
  }
  const required = [
    ...(contactIdColumn ? [{ column: contactIdColumn, role: 'contact id' }] : []),
    ...list.phoneColumns.map((c) => ({ column: c.columnName, role: 'phone' })),
    ...list.emailColumns.map((c) => ({ column: c.columnName, role: 'email' })),
  ];
  const missing = required.filter((r) => !names.includes(r.column));
  if (missing.length) {
    throw new DomainError(
      'import.column.missing',
      `the header row lacks ${missing.map((m) => `the ${m.role} column "${m.column}"`).join(', ')}`,
      400,
      missing.map((m) => ({ column: m.column, role: m.role })),
    );
  }
  return new RowValidator(list, names, contactIdColumn);
}

/**
 * Spreadsheet row numbers of an import's records, counted as the records reach the row checks:
 * the header is row 1, an empty line counts, a quoted field across lines stays one row, and a
 * record the parser could not read counts too. The parser reports the latter ('skip') while it
 * parses, ahead of records before it that are still on their way through the stream, so they wait
 * here for their turn. (Counting in csv-parse's `on_record` would be simpler, but with it csv-parse
 * builds an info object per record, and at a million rows those landed in the old space: ~70 MiB
 * of the import's peak RSS.)
 */
export class RowNumbers {
  private row = 0;
  private records = 0;
  private readonly unreadable: { before: number; reason: string }[] = [];

  /** `onUnreadable`: told each unreadable record's row, in turn. */
  constructor(private readonly onUnreadable: (row: number, reason: string) => void) {}

  /** A record the parser could not read, after `before` records it did read (`parser.info.records` then). */
  skipped(before: number, reason: string): void {
    this.unreadable.push({ before, reason });
  }

  /** The row of the next record read (the unreadable ones before it are told first). */
  next(): number {
    this.tell(this.records++);
    return ++this.row;
  }

  /** At the end of the file: the unreadable records after the last one read. */
  end(): void {
    this.tell(Infinity);
  }

  private tell(before: number): void {
    while (this.unreadable.length && this.unreadable[0]!.before <= before) this.onUnreadable(++this.row, this.unreadable.shift()!.reason);
  }
}

/**
 * The import's CSV parser: records as string arrays, every line one (an empty line is `['']`:
 * RowBatches drops it, counted, rather than skip_empty_lines), a row it cannot read (e.g. a quote
 * never closed) told to `numbers` and the rest read on; unless it is the first line: no header,
 * nothing imported (400).
 */
export function csvParser(numbers: RowNumbers): Parser {
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    record_delimiter: ['\r\n', '\n'],
    max_record_size: 1024 * 1024,
  });
  let unreadable = 0;
  parser.on('skip', (err: Error) => {
    const why = err.message.replace(/ at line \d+.*$/, '');
    if (parser.info.records === 0 && unreadable === 0) {
      parser.destroy(new DomainError('import.not.csv', `the header row is not readable as CSV (${why}); nothing was imported`, 400));
      return;
    }
    unreadable++;
    numbers.skipped(parser.info.records, `not readable as CSV: ${why}`);
  });
  return parser;
}

/** Checks a batch of rows: `checkRows` itself, or a thread pool running it. */
export type CheckRows = (batch: RowsBatch) => RowsResult | Promise<RowsResult>;

/** What every batch of one import shares: the list and the header. */
export type BatchShape = Pick<RowsBatch, 'list' | 'columns' | 'contactIdColumn'>;

export interface RowBatchesOptions {
  /** Checks the header (the first record not empty) and answers what the batches share, or throws. */
  header: (record: string[]) => BatchShape;
  check: CheckRows;
  /** Given the checked batches' results in the file's order, one at a time. */
  take: (result: RowsResult) => void | Promise<void>;
  /** Data rows per batch, at most. */
  batchRows: number;
  /** Characters of cells per batch: a batch is sent once its cells reach this many. */
  batchChars: number;
  /** Batches checked or waiting for `take` at once. */
  inFlight: number;
  /** Numbers the records (and tells the unreadable ones). */
  numbers: RowNumbers;
  /** Told each data row as it arrives (the live count of rows read). */
  read: () => void;
}

/**
 * The end of an import's parsing: numbers each record (RowNumbers), skips empty lines, checks the
 * header, and gathers the data rows into batches (of `batchRows`, or fewer rows whose cells reach
 * `batchChars` characters), checked by `check` (a thread pool) up to `inFlight` batches at once;
 * their results go to `take` in the file's order (OrderedBatches): counts, rejections and COPY
 * lines are the same with any number of threads. A write waits while `inFlight` batches are
 * untaken, so backpressure reaches the upload.
 */
export class RowBatches extends Writable {
  private shape: BatchShape | undefined;
  private text = '';
  private cellLengths: number[] = [];
  private widths: number[] = [];
  private rows: number[] = [];
  private readonly batches: OrderedBatches<RowsBatch, RowsResult>;

  constructor(private readonly options: RowBatchesOptions) {
    super({ objectMode: true });
    this.batches = new OrderedBatches(options.check, options.take, options.inFlight);
  }

  /** Whether the header row was read (a file without one is empty). */
  get started(): boolean {
    return this.shape !== undefined;
  }

  override _write(record: string[], _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    const row = this.options.numbers.next();
    if (record.length === 1 && record[0] === '') return done(); // an empty line
    if (!this.shape) {
      try {
        this.shape = this.options.header(record);
      } catch (e) {
        return done(e as Error);
      }
      return done();
    }
    this.options.read();
    for (const cell of record) {
      this.text += cell;
      this.cellLengths.push(cell.length);
    }
    this.widths.push(record.length);
    this.rows.push(row);
    if (this.widths.length < this.options.batchRows && this.text.length < this.options.batchChars) return done();
    this.submit().then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.options.numbers.end();
    this.submit()
      .then(() => this.batches.drain())
      .then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (e?: Error | null) => void): void {
    this.batches.stop(); // the import failed: its connection is no longer for COPY
    done(error);
  }

  /** Resolves once no result is being taken (after a failure too): nothing more reaches `take`. */
  async settled(): Promise<void> {
    await this.batches.settled();
  }

  /** Sends the rows gathered so far to be checked. */
  private async submit(): Promise<void> {
    if (!this.widths.length || !this.shape) return;
    const batch: RowsBatch = {
      ...this.shape,
      text: this.text,
      cellLengths: Uint32Array.from(this.cellLengths),
      widths: Uint32Array.from(this.widths),
      rows: Float64Array.from(this.rows),
    };
    this.text = '';
    this.cellLengths = [];
    this.widths = [];
    this.rows = [];
    await this.batches.submit(batch);
  }
}

/**
 * OWASP CSV injection: a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab,
 * carriage return first) is prefixed with a single quote.
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * The first stage of an import: counts bytes as they arrive and stops the stream past the limit
 * (413), and refuses what is not UTF-8 text (NUL bytes, invalid sequences: 415). Bytes pass
 * through untouched.
 */
export class UploadGuard extends Transform {
  bytes = 0;
  private carry: Buffer | null = null;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(new DomainError('import.too.large', `the file is larger than the import limit of ${this.maxBytes} bytes (CONTACT_IMPORT_MAX_BYTES); nothing was imported`, 413, [{ limitBytes: this.maxBytes }]));
      return;
    }
    if (chunk.indexOf(0) !== -1) {
      done(notText('it contains NUL bytes (binary content)'));
      return;
    }
    if (!this.validUtf8(chunk)) {
      done(notText('it is not UTF-8 text'));
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.carry ? notText('it ends inside a UTF-8 character') : null);
  }

  /** UTF-8 validity across chunk boundaries: a character cut at the end waits for the next chunk. */
  private validUtf8(input: Buffer): boolean {
    const buf = this.carry ? Buffer.concat([this.carry, input]) : input;
    this.carry = null;
    let end = buf.length;
    // Back off over a trailing, possibly incomplete, multi-byte sequence.
    for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
      const b = buf[i]!;
      if ((b & 0xc0) === 0x80) continue; // continuation byte
      if (b >= 0xc0 && buf.length - i < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2)) end = i;
      break;
    }
    if (end < buf.length) this.carry = Buffer.from(buf.subarray(end));
    return isUtf8(buf.subarray(0, end));
  }
}

function notText(why: string): DomainError {
  return new DomainError('import.not.csv', `the upload is not a CSV text file: ${why}; nothing was imported`, 415);
}
