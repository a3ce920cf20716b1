import { DomainError } from '@herald/service';
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** An uploaded CSV file as a stream, whichever way it was sent. */
export interface Upload {
  file: Readable;
  /** The column whose value is each contact's id (form field `contactIdColumn`/`contact-id-name`, or the query). */
  contactIdColumn?: string;
  /** The request's Content-Length, for percentComplete (multipart overhead included). */
  declaredBytes?: number;
  /** Resolves once the whole request was read; rejects if the form was malformed around the file. */
  finished(): Promise<void>;
  /** Reads and drops what is left of the request, so that an early refusal still reaches the client. */
  discard(): Promise<void>;
}

export interface UploadParams {
  listId: string;
  contactIdColumn?: string;
}

const RAW_TYPES = new Set(['text/csv', 'application/csv', 'text/plain']);
/** How much of a refused upload is read and dropped before the connection is cut instead. */
const DISCARD_LIMIT = 64 * 1024 * 1024;

const formError = (message: string) => new DomainError('import.form.invalid', message, 400);

/**
 * Genesys uploads contact lists as multipart/form-data (`file`, `id`, `fileType=contactlist`,
 * `contact-id-name`); Herald takes that, or the CSV as the raw body (`Content-Type: text/csv`).
 * Form fields must come before the file part: the file is imported while it streams.
 */
export async function uploadFrom(req: IncomingMessage, params: UploadParams): Promise<Upload> {
  const contentType = req.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const declaredBytes = req.headers['content-length'] ? Number(req.headers['content-length']) : undefined;
  const discard = () => drain(req);
  if (RAW_TYPES.has(mediaType)) {
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
      await discard();
      throw new DomainError('import.not.csv', `only UTF-8 CSV files can be imported, not ${charset}`, 415);
    }
    return { file: req, contactIdColumn: params.contactIdColumn, declaredBytes, finished: async () => undefined, discard };
  }
  if (mediaType !== 'multipart/form-data') {
    await discard();
    throw new DomainError(
      'import.content.type',
      `send the CSV file as multipart/form-data (field "file") or as the body with Content-Type: text/csv, not "${mediaType || 'no Content-Type'}"`,
      415,
    );
  }
  return multipartUpload(req, params, declaredBytes, discard);
}

function multipartUpload(req: IncomingMessage, params: UploadParams, declaredBytes: number | undefined, discard: () => Promise<void>): Promise<Upload> {
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 4_096, parts: 22 } });
  } catch (e) {
    return discard().then(() => Promise.reject(formError(`malformed multipart/form-data request: ${(e as Error).message}`)));
  }
  const fields: Record<string, string> = {};
  let file: Readable | undefined;
  let late: DomainError | undefined;
  const closed = new Promise<void>((resolve, reject) => {
    bb.once('close', resolve);
    bb.once('error', (e: Error) => {
      const err = formError(`malformed multipart/form-data request: ${e.message}`);
      file?.destroy(err);
      reject(err);
    });
  });
  closed.catch(() => undefined);
  return new Promise<Upload>((resolve, reject) => {
    bb.on('field', (name, value) => {
      if (file) late ??= formError(`form field "${name}" comes after the file: send the fields first`);
      else fields[name] = value;
    });
    bb.on('filesLimit', () => (late ??= formError('only one file can be imported per request')));
    bb.on('file', (name, stream) => {
      if (file) {
        stream.resume();
        return;
      }
      file = stream;
      const problem = checkFields(name, fields, params);
      if (problem) {
        stream.resume();
        void discard().then(() => reject(problem));
        return;
      }
      resolve({
        file: stream,
        contactIdColumn: fields['contactIdColumn'] ?? fields['contact-id-name'] ?? params.contactIdColumn,
        declaredBytes,
        async finished() {
          await closed;
          if (late) throw late;
        },
        async discard() {
          req.unpipe(bb);
          await discard();
        },
      });
    });
    closed.then(
      () => {
        if (!file) reject(formError('the form has no file part: send the CSV file in the field "file"'));
      },
      (e) => {
        if (!file) void discard().then(() => reject(e));
      },
    );
    req.pipe(bb);
  });
}

function checkFields(fileField: string, fields: Record<string, string>, params: UploadParams): DomainError | undefined {
  if (fileField !== 'file') return formError(`the file must be sent in the form field "file", not "${fileField}"`);
  const known = new Set(['id', 'fileType', 'contactIdColumn', 'contact-id-name']);
  const unknown = Object.keys(fields).filter((f) => !known.has(f));
  if (unknown.length) return formError(`unknown form field${unknown.length > 1 ? 's' : ''}: ${unknown.map((f) => `"${f}"`).join(', ')}`);
  if (fields['id'] !== undefined && fields['id'] !== params.listId) return formError(`form field "id" (${fields['id']}) is not the contact list of the path (${params.listId})`);
  if (fields['fileType'] !== undefined && fields['fileType'] !== 'contactlist') return formError(`form field "fileType" must be "contactlist", not "${fields['fileType']}"`);
  const a = fields['contactIdColumn'];
  const b = fields['contact-id-name'];
  if (a !== undefined && b !== undefined && a !== b) return formError('form fields "contactIdColumn" and "contact-id-name" disagree');
  if (params.contactIdColumn !== undefined && (a ?? b) !== undefined && (a ?? b) !== params.contactIdColumn) {
    return formError('the contact-id column in the form and in the query disagree');
  }
  return undefined;
}

/** Reads the rest of the request and drops it; past DISCARD_LIMIT the connection is cut instead. */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded || req.destroyed) return resolve();
    let dropped = 0;
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > DISCARD_LIMIT) {
        req.socket.destroy();
        resolve();
      }
    });
    req.once('end', () => resolve());
    req.once('close', () => resolve());
    req.once('error', () => resolve());
    req.resume();
  });
}
