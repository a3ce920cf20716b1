import { DomainError } from '@herald/service';
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

/** A parsed record, tagged with its row number in the file (the header is row 1). */
export type NumberedRecord = string[] & { row: number };

/** Checks a batch of rows: `checkRows` itself, or a thread pool running it. */
export type CheckRows = (batch: RowsBatch) => RowsResult | Promise<RowsResult>;

/** What every batch of one import shares: the list and the header. */
export type BatchShape = Pick<RowsBatch, 'list' | 'columns' | 'contactIdColumn'>;

/**
 * The end of an import's parsing: the first record is the header (`header` checks it and answers
 * what the batches share, or throws); the data rows are gathered into batches of `batchRows`,
 * each checked by `check` (a thread pool), up to `inFlight` batches at once. Their results go to
 * `take` in the file's order, one at a time, whatever order the checks finish in: counts,
 * rejections and COPY lines are the same with any number of threads. A write waits while
 * `inFlight` batches are pending (and while `take` works), so backpressure reaches the upload.
 */
export class RowBatches extends Writable {
  private shape: BatchShape | undefined;
  private text = '';
  private cellLengths: number[] = [];
  private widths: number[] = [];
  private rows: number[] = [];
  private readonly pending: Promise<RowsResult>[] = [];
  /** The submit under way (results being taken), for `settled`. */
  private working: Promise<void> = Promise.resolve();

  constructor(
    private readonly header: (record: string[]) => BatchShape,
    private readonly check: CheckRows,
    private readonly take: (result: RowsResult) => void | Promise<void>,
    private readonly batchRows: number,
    private readonly inFlight: number,
  ) {
    super({ objectMode: true });
  }

  /** Whether the header row was read (a file without one is empty). */
  get started(): boolean {
    return this.shape !== undefined;
  }

  override _write(record: NumberedRecord, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    if (!this.shape) {
      try {
        this.shape = this.header(record);
      } catch (e) {
        return done(e as Error);
      }
      return done();
    }
    for (const cell of record) {
      this.text += cell;
      this.cellLengths.push(cell.length);
    }
    this.widths.push(record.length);
    this.rows.push(record.row);
    if (this.widths.length < this.batchRows) return done();
    this.submit(this.inFlight).then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.submit(1).then(() => done(), done);
  }

  /** Resolves once no result is being taken (after a failure too): nothing more reaches `take`. */
  async settled(): Promise<void> {
    await this.working.catch(() => undefined);
  }

  /** Sends the rows gathered so far to be checked, then takes results until fewer than `room` are pending. */
  private submit(room: number): Promise<void> {
    if (this.widths.length && this.shape) {
      const result = Promise.resolve(
        this.check({
          ...this.shape,
          text: this.text,
          cellLengths: Uint32Array.from(this.cellLengths),
          widths: Uint32Array.from(this.widths),
          rows: Float64Array.from(this.rows),
        }),
      );
      result.catch(() => undefined); // awaited in turn below; a failure then fails the stream
      this.pending.push(result);
      this.text = '';
      this.cellLengths = [];
      this.widths = [];
      this.rows = [];
    }
    this.working = (async () => {
      while (this.pending.length >= room && this.pending.length) {
        const result = await this.pending.shift()!;
        if (this.destroyed) return; // the import failed meanwhile: its connection is no longer for COPY
        await this.take(result);
      }
    })();
    return this.working;
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
