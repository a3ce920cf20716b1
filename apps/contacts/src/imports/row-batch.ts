import { CopyLines, movedResult } from '@herald/bulk';
import { normalizeEmailAddress, normalizePhoneNumber, type CountryCode } from '@herald/channels';
import { stringify } from 'csv-stringify/sync';
import { randomUUID } from 'node:crypto';

// The row check of a contact import, run in the import's worker threads (see RowBatches): this
// module is the threads' entry point, so it imports nothing of Nest, TypeORM or Kafka.

/** What an import needs to know about the list it fills. */
export interface ImportTarget {
  columnNames: string[];
  phoneColumns: { columnName: string }[];
  emailColumns: { columnName: string }[];
  defaultRegion: string | null;
  trimWhitespace: boolean;
}

export interface RowProblem {
  column: string | null;
  reason: string;
}

/** An accepted row: its contact id and its data as JSON text; or why it was rejected. */
export type RowOutcome = { id: string; json: string } | { problems: RowProblem[] };

export const MAX_CONTACT_ID_LENGTH = 256;

/** Validates and normalises one data row (the hot path: no allocation beyond the result). */
export class RowValidator {
  private readonly phoneIndexes: number[];
  private readonly emailIndexes: number[];
  private readonly idIndex: number;
  private readonly region: CountryCode | undefined;
  private readonly trim: boolean;
  /** `{"col":` / `,"col":`: the JSON text before each value. */
  private readonly keys: string[];
  private readonly scratch: string[];

  constructor(
    list: ImportTarget,
    readonly columns: string[],
    contactIdColumn: string | undefined,
  ) {
    const phones = new Set(list.phoneColumns.map((c) => c.columnName));
    const emails = new Set(list.emailColumns.map((c) => c.columnName));
    this.phoneIndexes = columns.flatMap((c, i) => (phones.has(c) ? [i] : []));
    this.emailIndexes = columns.flatMap((c, i) => (emails.has(c) ? [i] : []));
    this.idIndex = contactIdColumn ? columns.indexOf(contactIdColumn) : -1;
    this.region = (list.defaultRegion ?? undefined) as CountryCode | undefined;
    this.trim = list.trimWhitespace;
    this.scratch = new Array<string>(columns.length).fill('');
    this.keys = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c)}:`);
  }

  check(record: string[]): RowOutcome {
    const width = this.columns.length;
    if (record.length !== width) {
      const reason =
        record.length > width
          ? `${record.length - width} extra field${record.length - width > 1 ? 's' : ''}: the row has ${record.length} fields, the header ${width}`
          : `${width - record.length} missing field${width - record.length > 1 ? 's' : ''}: the row has ${record.length} field${record.length > 1 ? 's' : ''}, the header ${width}`;
      return { problems: [{ column: null, reason }] };
    }
    const values = this.scratch; // reused: the record itself stays as read (for the rejection report)
    for (let i = 0; i < width; i++) values[i] = this.trim ? record[i]!.trim() : record[i]!;
    let problems: RowProblem[] | undefined;
    for (const i of this.phoneIndexes) {
      const raw = values[i]!;
      if (raw === '') continue; // allowed, as through the API: the campaign skips it as invalid-address
      const r = normalizePhoneNumber(raw, this.region);
      if (r.ok) values[i] = r.e164;
      else (problems ??= []).push({ column: this.columns[i]!, reason: `invalid phone number: ${r.reason}` });
    }
    for (const i of this.emailIndexes) {
      const raw = values[i]!;
      if (raw === '') continue;
      const r = normalizeEmailAddress(raw);
      if (r.ok) values[i] = r.address;
      else (problems ??= []).push({ column: this.columns[i]!, reason: `invalid email address: ${r.reason}` });
    }
    let id: string;
    if (this.idIndex >= 0) {
      id = values[this.idIndex]!.trim();
      if (id === '') (problems ??= []).push({ column: this.columns[this.idIndex]!, reason: 'missing contact id' });
      else if (id.length > MAX_CONTACT_ID_LENGTH) (problems ??= []).push({ column: this.columns[this.idIndex]!, reason: `contact id longer than ${MAX_CONTACT_ID_LENGTH} characters` });
    } else {
      id = randomUUID().replace(/-/g, '');
    }
    if (problems) return { problems };
    // The contact's data as JSON text, written directly (no object in between: this is the hot path).
    let json = this.keys[0]! + JSON.stringify(values[0]);
    for (let i = 1; i < width; i++) json += this.keys[i]! + JSON.stringify(values[i]);
    return { id, json: `${json}}` };
  }
}

/** One line of `COPY … FROM STDIN` text format: tab-separated, backslash escapes. */
export function copyLine(rowNumber: number, id: string, json: string): string {
  return `${rowNumber}\t${copyText(id)}\t${copyText(json)}\n`;
}

function copyText(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s;
}

export const MAX_RAW_CHARS = 4_096;

/** A parsed row written back as one CSV line (what the rejection report shows as `raw`). */
export function rawRow(record: string[]): string {
  const line = stringify([record], { record_delimiter: '' });
  return line.length > MAX_RAW_CHARS ? `${line.slice(0, MAX_RAW_CHARS)}…` : line;
}

/**
 * Data rows of one import, checked together in a worker thread. The cells cross as ONE string
 * (every cell of the batch, one after the other) and their lengths: far cheaper to clone than a
 * string per cell.
 */
export interface RowsBatch {
  list: ImportTarget;
  /** The header's column names (as rowValidatorFor read them). */
  columns: string[];
  contactIdColumn: string | undefined;
  /** Every cell of the batch's rows, concatenated in order. */
  text: string;
  /** Each cell's length in `text`. */
  cellLengths: Uint32Array<ArrayBuffer>;
  /** Each row's number of cells. */
  widths: Uint32Array<ArrayBuffer>;
  /** Each row's number in the file (the header is row 1). */
  rows: Float64Array<ArrayBuffer>;
  /** A buffer of an earlier batch's COPY lines, sent by the import once it was COPYed, to be written again (see CopyLines). */
  spare?: ArrayBuffer;
}

export interface RejectedRow {
  row: number;
  problems: RowProblem[];
  /** The row as read, written back as CSV (see rawRow). */
  raw: string;
}

export interface RowsResult {
  /** The accepted rows as `COPY … FROM STDIN` lines (text format, UTF-8): row number, contact id, data. */
  copy: Uint8Array<ArrayBuffer>;
  /** How many rows were accepted. */
  accepted: number;
  /** The rejected rows, in file order. */
  rejected: RejectedRow[];
}

/** Bytes reserved per row: a row number, an id and ten short cells of JSON fit (the buffer grows otherwise). */
const BYTES_PER_ROW = 256;

/**
 * Checks a batch of rows (RowValidator) and writes the accepted ones as COPY lines straight into
 * one buffer (the batch's spare one if it came with one).
 */
export function checkRows({ list, columns, contactIdColumn, text, cellLengths, widths, rows, spare }: RowsBatch): RowsResult {
  const validator = new RowValidator(list, columns, contactIdColumn);
  const rejected: RejectedRow[] = [];
  let accepted = 0;
  const out = new CopyLines(widths.length * BYTES_PER_ROW, spare);
  const record: string[] = [];
  let at = 0;
  let cell = 0;
  for (let r = 0; r < widths.length; r++) {
    const width = widths[r]!;
    record.length = width;
    for (let i = 0; i < width; i++) {
      const end = at + cellLengths[cell++]!;
      record[i] = text.slice(at, end);
      at = end;
    }
    const outcome = validator.check(record);
    if ('problems' in outcome) {
      rejected.push({ row: rows[r]!, problems: outcome.problems, raw: rawRow(record) });
      continue;
    }
    accepted++;
    out.write(copyLine(rows[r]!, outcome.id, outcome.json));
  }
  return { copy: out.bytes(), accepted, rejected };
}

/** The thread pool's entry point: checkRows, its COPY bytes moved to the calling thread instead of copied. */
export function checkRowsMoved(batch: RowsBatch) {
  return movedResult(checkRows(batch));
}
