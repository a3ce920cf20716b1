/**
 * The event envelope: CloudEvents 1.0 attributes plus Herald's extensions, carried over Kafka in
 * the CloudEvents Kafka protocol binding, in one of three content modes: *binary* (attributes as
 * `ce_*` headers, the payload as the JSON value), *structured* (`content-type:
 * application/cloudevents+json`, the whole event as the value) or *batched* (`content-type:
 * application/cloudevents-batch+json`, a JSON array of structured events as the value: the
 * CloudEvents JSON batch format, which the binding leaves open and the CloudEvents SDKs read).
 * Herald reads all three on every topic; which one it writes to a topic is `contentModeOf` in topics.ts.
 */
export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  type: string;
  /** URI-reference of the producer, e.g. `/herald/contacts`. */
  source: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  /** Extensions (lower-case alphanumerics, as CloudEvents requires). */
  correlationid?: string;
  causationid?: string;
  division?: string;
  traceparent?: string;
  tracestate?: string;
  data: T;
}

export type KafkaHeaders = Record<string, Buffer | string | undefined>;

export interface KafkaRecord {
  key: string | null;
  value: Buffer;
  headers: Record<string, Buffer | string>;
}

const ATTRIBUTES = [
  'specversion',
  'id',
  'type',
  'source',
  'time',
  'subject',
  'correlationid',
  'causationid',
  'division',
  'traceparent',
  'tracestate',
] as const;
const REQUIRED = ['id', 'type', 'source', 'specversion'] as const;

export class EnvelopeDecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EnvelopeDecodeError';
  }
}

/** Binary content mode: attributes become `ce_<name>` headers, the data the JSON value. */
export function encodeBinary(envelope: EventEnvelope, key: string | null): KafkaRecord {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const attr of ATTRIBUTES) {
    const v = envelope[attr];
    if (v !== undefined) headers[`ce_${attr}`] = v;
  }
  return { key, value: Buffer.from(JSON.stringify(envelope.data)), headers };
}

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/**
 * Structured content mode: the whole event, attributes and data, is the JSON value; one header.
 * A Kafka client encodes and decodes each header separately, so this costs about half the CPU
 * per record of binary mode's dozen `ce_*` headers (BENCHMARKS.md).
 */
export function encodeStructured(envelope: EventEnvelope, key: string | null): KafkaRecord {
  return { key, value: Buffer.from(structuredJson(envelope)), headers: { 'content-type': STRUCTURED_CONTENT_TYPE } };
}

export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json; charset=utf-8';

/** One event in the CloudEvents JSON format: the text of a structured-mode value or of a batch's element. */
export function structuredJson(envelope: EventEnvelope): string {
  const event: Record<string, unknown> = {};
  for (const attr of ATTRIBUTES) if (envelope[attr] !== undefined) event[attr] = envelope[attr];
  event['datacontenttype'] = envelope.datacontenttype;
  event['data'] = envelope.data;
  return JSON.stringify(event);
}

/**
 * Batched content mode: many events in one record, a JSON array of events in the CloudEvents JSON
 * format (`structuredJson` of each). Per event, the Kafka client's and the broker's work is a
 * fraction of a record's: the high-volume internal hops carry their events this way.
 */
export function encodeBatch(events: string[], key: string | null): KafkaRecord {
  return { key, value: Buffer.from(`[${events.join(',')}]`), headers: { 'content-type': BATCH_CONTENT_TYPE } };
}

function headerString(v: Buffer | string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** `application/json`, `text/json` and any `…+json` media type, parameters (`; charset=utf-8`) aside. */
function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EnvelopeDecodeError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** One element of a record: its event, or why it is not one (and the element itself, to dead-letter it alone). */
export type DecodedEvent = { ok: true; envelope: EventEnvelope } | { ok: false; reason: string; element: unknown };

function mediaTypeOf(headers: KafkaHeaders | undefined): { contentType?: string; mediaType?: string } {
  const h = headers ?? {};
  const contentType = (headerString(h['content-type']) ?? headerString(h['ce_datacontenttype']))?.trim();
  return { contentType, mediaType: contentType?.split(';')[0]!.trim().toLowerCase() };
}

/** True when the record is in batched content mode (many events in one record). */
export function isBatchRecord(headers: KafkaHeaders | undefined): boolean {
  return mediaTypeOf(headers).mediaType === 'application/cloudevents-batch+json';
}

/**
 * Reads a Kafka message in any content mode into the events it carries; throws EnvelopeDecodeError
 * when the record as a whole cannot be read.
 * - Binary mode: attributes from `ce_*` headers, the value is the data; a `content-type` header,
 *   if present, must be a JSON media type.
 * - Structured mode (`content-type: application/cloudevents+json`, any case, any parameters): the
 *   value is the whole event in the CloudEvents JSON format; its data is `data` (a JSON object) or
 *   `data_base64` (base64 of a JSON object); a `datacontenttype`, if present, must be JSON.
 * - Batched mode (`application/cloudevents-batch+json`): the value is a JSON array of events as in
 *   structured mode. Each element is read on its own: one that is not an event is reported as such
 *   (`ok: false`) and the others are still read.
 */
export function decodeEvents(value: Buffer | null, headers: KafkaHeaders | undefined): DecodedEvent[] {
  if (value === null || value.length === 0) throw new EnvelopeDecodeError('empty message value');
  const { contentType, mediaType } = mediaTypeOf(headers);
  const parsed = parseJson(value.toString('utf8'), 'value');
  if (mediaType === 'application/cloudevents-batch+json') {
    if (!Array.isArray(parsed)) throw new EnvelopeDecodeError('batched-mode value is not a JSON array');
    return parsed.map((element: unknown): DecodedEvent => {
      try {
        return { ok: true, envelope: structuredEnvelope(element, 'batched-mode element') };
      } catch (e) {
        if (e instanceof EnvelopeDecodeError) return { ok: false, reason: e.reason, element };
        throw e;
      }
    });
  }
  if (mediaType === 'application/cloudevents+json') return [{ ok: true, envelope: structuredEnvelope(parsed, 'structured-mode value') }];
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    throw new EnvelopeDecodeError(`content-type "${contentType}" is not JSON: send JSON data (binary mode) or application/cloudevents+json (structured mode)`);
  }
  const envelope: Record<string, unknown> = { data: parsed };
  const h = headers ?? {};
  for (const attr of ATTRIBUTES) {
    const v = headerString(h[`ce_${attr}`]);
    if (v !== undefined) envelope[attr] = v;
  }
  return [{ ok: true, envelope: checkedEnvelope(envelope) }];
}

/** Reads a Kafka message that carries one event (binary or structured mode); throws EnvelopeDecodeError. */
export function decodeRecord(value: Buffer | null, headers: KafkaHeaders | undefined): EventEnvelope {
  if (isBatchRecord(headers)) throw new EnvelopeDecodeError('a batched-mode record carries many events: read it with decodeEvents');
  const [decoded] = decodeEvents(value, headers);
  if (!decoded!.ok) throw new EnvelopeDecodeError(decoded!.reason);
  return decoded!.envelope;
}

/** An event in the CloudEvents JSON format (a structured-mode value, or an element of a batch). */
function structuredEnvelope(parsed: unknown, what: string): EventEnvelope {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EnvelopeDecodeError(`${what} is not a JSON object`);
  }
  const envelope = parsed as Record<string, unknown>;
  const declared = envelope['datacontenttype'];
  if (declared !== undefined && (typeof declared !== 'string' || !isJsonMediaType(declared))) {
    throw new EnvelopeDecodeError(`datacontenttype "${String(declared)}" is not JSON: Herald's events carry JSON data`);
  }
  if (envelope['data_base64'] !== undefined) {
    if (envelope['data'] !== undefined) throw new EnvelopeDecodeError('structured-mode event has both data and data_base64');
    if (typeof envelope['data_base64'] !== 'string') throw new EnvelopeDecodeError('data_base64 is not a string');
    envelope['data'] = parseJson(Buffer.from(envelope['data_base64'], 'base64').toString('utf8'), 'data_base64');
    delete envelope['data_base64'];
  }
  return checkedEnvelope(envelope);
}

function checkedEnvelope(envelope: Record<string, unknown>): EventEnvelope {
  for (const attr of REQUIRED) {
    if (typeof envelope[attr] !== 'string' || envelope[attr] === '') {
      throw new EnvelopeDecodeError(`missing CloudEvents attribute "${attr}"`);
    }
  }
  if (envelope['specversion'] !== '1.0') {
    throw new EnvelopeDecodeError(`unsupported CloudEvents specversion "${String(envelope['specversion'])}"`);
  }
  if (typeof envelope['data'] !== 'object' || envelope['data'] === null || Array.isArray(envelope['data'])) {
    throw new EnvelopeDecodeError('event data is not a JSON object');
  }
  envelope['datacontenttype'] = 'application/json';
  envelope['time'] ??= new Date().toISOString();
  return envelope as unknown as EventEnvelope;
}
