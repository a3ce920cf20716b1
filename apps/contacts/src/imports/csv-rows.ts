import { normalizeEmailAddress, normalizePhoneNumber, type CountryCode } from '@herald/channels';
import { DomainError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { Transform, TransformCallback } from 'node:stream';
import { stringify } from 'csv-stringify/sync';

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
