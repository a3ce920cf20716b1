import { CloudEvent, Kafka, KafkaMessage } from 'cloudevents';
import { decodeEvents, decodeRecord, encodeBatch, encodeBinary, encodeStructured, EnvelopeDecodeError, EventEnvelope, KafkaHeaders, KafkaRecord, structuredJson } from './envelope';
import { contentModeOf, TOPICS, TopicName } from './topics';

const data = {
  messageId: 'd8ff4176-4abe-5a1b-8ad3-dcbfd9756b71',
  channel: 'sms',
  outcome: 'delivered',
  division: 'ff028ff0-c53e-45f6-8b1e-25793267282c',
  providerMessageId: 'SM5f0e2c1d9a8b7c6d5e4f3a2b1c0d9e8f',
  occurredAt: '2025-05-13T14:02:09.101Z',
};

const full: EventEnvelope<typeof data> = {
  specversion: '1.0',
  id: '0f8e6d4c-2b1a-4e9f-8d7c-6b5a4f3e2d1c',
  type: 'io.herald.delivery.result.v1',
  source: '/herald/sms-gateway',
  time: '2025-05-13T14:02:09.250Z',
  subject: 'd8ff4176-4abe-5a1b-8ad3-dcbfd9756b71',
  datacontenttype: 'application/json',
  correlationid: 'dea4f9d4-d69b-4557-b019-91f185a904a2',
  causationid: '7b1f0c2e-3d4a-4b5c-8e6f-9a0b1c2d3e4f',
  division: 'ff028ff0-c53e-45f6-8b1e-25793267282c',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'herald=00f067aa0ba902b7',
  data,
};

const minimal: EventEnvelope<typeof data> = {
  specversion: '1.0',
  id: '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  type: 'io.herald.delivery.result.v1',
  source: '/herald/sms-gateway',
  time: '2025-05-13T14:02:09.250Z',
  datacontenttype: 'application/json',
  data,
};

/** Headers as kafkajs hands them to a consumer: every value a Buffer. */
function asBuffers(headers: Record<string, Buffer | string>): KafkaHeaders {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
}

function decodeError(fn: () => unknown): EnvelopeDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvelopeDecodeError);
    return e as EnvelopeDecodeError;
  }
  throw new Error('expected an EnvelopeDecodeError');
}

describe('encodeBinary', () => {
  it('puts every attribute in a ce_ header, the data in the value and the key as given', () => {
    const record = encodeBinary(full, 'd8ff4176-4abe-5a1b-8ad3-dcbfd9756b71');
    expect(record.key).toBe('d8ff4176-4abe-5a1b-8ad3-dcbfd9756b71');
    expect(JSON.parse(record.value.toString('utf8'))).toEqual(data);
    expect(record.headers).toEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: full.id,
      ce_type: full.type,
      ce_source: full.source,
      ce_time: full.time,
      ce_subject: full.subject,
      ce_correlationid: full.correlationid,
      ce_causationid: full.causationid,
      ce_division: full.division,
      ce_traceparent: full.traceparent,
      ce_tracestate: full.tracestate,
    });
  });

  it('omits headers for absent optional attributes and keeps a null key', () => {
    const record = encodeBinary(minimal, null);
    expect(record.key).toBeNull();
    expect(Object.keys(record.headers).sort()).toEqual(
      ['content-type', 'ce_id', 'ce_source', 'ce_specversion', 'ce_time', 'ce_type'].sort(),
    );
  });
});

describe('encodeStructured', () => {
  it('writes the whole event as the value and one content-type header', () => {
    const record = encodeStructured(full, 'k');
    expect(record.key).toBe('k');
    expect(record.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    expect(JSON.parse(record.value.toString('utf8'))).toEqual(full);
  });

  it('leaves out attributes that are not set', () => {
    expect(Object.keys(JSON.parse(encodeStructured(minimal, null).value.toString('utf8'))).sort()).toEqual(
      ['data', 'datacontenttype', 'id', 'source', 'specversion', 'time', 'type'],
    );
  });

  it('round-trips through decodeRecord, headers as kafkajs hands them over', () => {
    const record = encodeStructured(full, 'k');
    expect(decodeRecord(record.value, asBuffers(record.headers))).toEqual(full);
  });
});

describe('encodeBatch', () => {
  const second = { ...minimal, id: 'a1b2c3d4-0000-4000-8000-000000000002' };

  it('writes the events as a JSON array of structured events, with the batch content type and the key as given', () => {
    const record = encodeBatch([structuredJson(full), structuredJson(second)], 'k');
    expect(record.key).toBe('k');
    expect(record.headers).toEqual({ 'content-type': 'application/cloudevents-batch+json; charset=utf-8' });
    expect(JSON.parse(record.value.toString('utf8'))).toEqual([full, second]);
  });

  it('round-trips through decodeEvents, in order, headers as kafkajs hands them over', () => {
    const record = encodeBatch([structuredJson(full), structuredJson(second), structuredJson(full)], 'k');
    expect(decodeEvents(record.value, asBuffers(record.headers))).toEqual([
      { ok: true, envelope: full },
      { ok: true, envelope: second },
      { ok: true, envelope: full },
    ]);
  });

  it('is not read by decodeRecord, which reads one event', () => {
    const record = encodeBatch([structuredJson(full)], 'k');
    expect(decodeError(() => decodeRecord(record.value, record.headers)).reason).toBe('a batched-mode record carries many events: read it with decodeEvents');
  });
});

describe('decodeEvents', () => {
  const batch = { 'content-type': 'application/cloudevents-batch+json' };

  it('reads each element of a batch on its own: one that is not an event is reported with its reason, the others are read', () => {
    const noId: Record<string, unknown> = { ...minimal };
    delete noId['id'];
    const value = Buffer.from(JSON.stringify([full, noId, 'text', { ...minimal, data: [1] }, minimal]));
    expect(decodeEvents(value, batch)).toEqual([
      { ok: true, envelope: full },
      { ok: false, reason: 'missing CloudEvents attribute "id"', element: noId },
      { ok: false, reason: 'batched-mode element is not a JSON object', element: 'text' },
      { ok: false, reason: 'event data is not a JSON object', element: { ...minimal, data: [1] } },
      { ok: true, envelope: minimal },
    ]);
  });

  it('refuses a batched record whose value is not a JSON array, or not JSON', () => {
    expect(decodeError(() => decodeEvents(Buffer.from(JSON.stringify(full)), batch)).reason).toBe('batched-mode value is not a JSON array');
    expect(decodeError(() => decodeEvents(Buffer.from('[{"id": '), batch)).reason).toMatch(/^value is not valid JSON: /);
  });

  it('reads a binary- or structured-mode record as its one event', () => {
    const binary = encodeBinary(full, 'k');
    const structured = encodeStructured(full, 'k');
    expect(decodeEvents(binary.value, asBuffers(binary.headers))).toEqual([{ ok: true, envelope: full }]);
    expect(decodeEvents(structured.value, asBuffers(structured.headers))).toEqual([{ ok: true, envelope: full }]);
  });

  it('reads an empty batch as no events', () => {
    expect(decodeEvents(Buffer.from('[]'), batch)).toEqual([]);
  });
});

describe('contentModeOf', () => {
  it('writes the public delivery-result topic in binary mode, the per-contact hops batched and the other internal hops structured', () => {
    expect(contentModeOf('herald.delivery.result.v1')).toBe('binary');
    expect(contentModeOf('herald.contact.dispatch.v1')).toBe('batched');
    expect(contentModeOf('herald.contact.cleared.v1')).toBe('batched');
    const others = (Object.keys(TOPICS) as TopicName[]).filter((t) => !['herald.delivery.result.v1', 'herald.contact.dispatch.v1', 'herald.contact.cleared.v1'].includes(t));
    expect(others.length).toBeGreaterThan(0);
    for (const t of others) expect(contentModeOf(t)).toBe('structured');
  });
});

describe('decodeRecord', () => {
  describe('binary content mode', () => {
    it.each([
      ['every attribute', full],
      ['only the required attributes', minimal],
    ])('round-trips an envelope with %s', (_name, envelope) => {
      const record = encodeBinary(envelope, 'k');
      expect(decodeRecord(record.value, record.headers)).toEqual(envelope);
    });

    it('reads header values delivered as Buffers, as kafkajs delivers them', () => {
      const record = encodeBinary(full, 'k');
      expect(decodeRecord(record.value, asBuffers(record.headers))).toEqual(full);
    });

    it('supplies a time when the producer sent none', () => {
      const headers = { ...encodeBinary(minimal, 'k').headers };
      delete headers['ce_time'];
      const decoded = decodeRecord(Buffer.from(JSON.stringify(data)), headers);
      expect(new Date(decoded.time).toISOString()).toBe(decoded.time);
    });
  });

  describe('structured content mode', () => {
    it('reads the whole event from the value', () => {
      const value = Buffer.from(JSON.stringify(full));
      expect(decodeRecord(value, { 'content-type': 'application/cloudevents+json; charset=utf-8' })).toEqual(full);
    });

    it('recognises the mode from a Buffer content-type header', () => {
      const value = Buffer.from(JSON.stringify(minimal));
      expect(decodeRecord(value, asBuffers({ 'content-type': 'application/cloudevents+json' }))).toEqual(minimal);
    });

    it('recognises the mode whatever the case of the content-type', () => {
      const value = Buffer.from(JSON.stringify(minimal));
      expect(decodeRecord(value, { 'content-type': 'Application/CloudEvents+JSON; charset=UTF-8' })).toEqual(minimal);
    });

    it('reads data_base64 holding a JSON object, as the CloudEvents JSON format allows', () => {
      const rest: Record<string, unknown> = { ...minimal, data_base64: Buffer.from(JSON.stringify(data)).toString('base64') };
      delete rest['data'];
      const decoded = decodeRecord(Buffer.from(JSON.stringify(rest)), { 'content-type': 'application/cloudevents+json' });
      expect(decoded).toEqual(minimal);
      expect(decoded).not.toHaveProperty('data_base64');
    });

    it('accepts a JSON datacontenttype with parameters or a +json suffix', () => {
      for (const datacontenttype of ['application/json; charset=utf-8', 'application/vnd.shop.order+json', 'text/json']) {
        const value = Buffer.from(JSON.stringify({ ...minimal, datacontenttype }));
        expect(decodeRecord(value, { 'content-type': 'application/cloudevents+json' }).data).toEqual(data);
      }
    });

    it('keeps extension attributes it does not know', () => {
      const value = Buffer.from(JSON.stringify({ ...minimal, partitionkey: 'order-1' }));
      expect(decodeRecord(value, { 'content-type': 'application/cloudevents+json' })).toMatchObject({ ...minimal, partitionkey: 'order-1' });
    });

    it('sets datacontenttype to application/json', () => {
      const rest: Partial<EventEnvelope> = { ...minimal };
      delete rest.datacontenttype;
      const decoded = decodeRecord(Buffer.from(JSON.stringify(rest)), { 'content-type': 'application/cloudevents+json' });
      expect(decoded.datacontenttype).toBe('application/json');
    });
  });

  describe('refuses, with a reason', () => {
    const binary = encodeBinary(full, 'k');
    const structured = { 'content-type': 'application/cloudevents+json' };
    const withoutHeader = (name: string): Record<string, Buffer | string> => {
      const headers = { ...binary.headers };
      delete headers[name];
      return headers;
    };
    const withoutAttribute = (name: keyof EventEnvelope): Buffer => {
      const copy: Record<string, unknown> = { ...full };
      delete copy[name];
      return Buffer.from(JSON.stringify(copy));
    };

    it.each([
      ['a null value', null, binary.headers, 'empty message value'],
      ['an empty value', Buffer.alloc(0), binary.headers, 'empty message value'],
      ['no headers at all (binary without attributes)', binary.value, undefined, 'missing CloudEvents attribute "id"'],
      ['binary mode without ce_id', binary.value, withoutHeader('ce_id'), 'missing CloudEvents attribute "id"'],
      ['binary mode without ce_type', binary.value, withoutHeader('ce_type'), 'missing CloudEvents attribute "type"'],
      ['binary mode without ce_source', binary.value, withoutHeader('ce_source'), 'missing CloudEvents attribute "source"'],
      ['binary mode without ce_specversion', binary.value, withoutHeader('ce_specversion'), 'missing CloudEvents attribute "specversion"'],
      ['binary mode with an empty ce_id', binary.value, { ...binary.headers, ce_id: '' }, 'missing CloudEvents attribute "id"'],
      ['structured mode without id', withoutAttribute('id'), structured, 'missing CloudEvents attribute "id"'],
      ['structured mode without type', withoutAttribute('type'), structured, 'missing CloudEvents attribute "type"'],
      ['structured mode without source', withoutAttribute('source'), structured, 'missing CloudEvents attribute "source"'],
      ['binary mode with specversion 0.3', binary.value, { ...binary.headers, ce_specversion: '0.3' }, 'unsupported CloudEvents specversion "0.3"'],
      [
        'structured mode with specversion 1.1',
        Buffer.from(JSON.stringify({ ...full, specversion: '1.1' })),
        structured,
        'unsupported CloudEvents specversion "1.1"',
      ],
      ['binary mode with a number as data', Buffer.from('42'), binary.headers, 'event data is not a JSON object'],
      ['binary mode with a string as data', Buffer.from('"hello"'), binary.headers, 'event data is not a JSON object'],
      ['binary mode with null as data', Buffer.from('null'), binary.headers, 'event data is not a JSON object'],
      ['binary mode with an array as data', Buffer.from('[{"a":1}]'), binary.headers, 'event data is not a JSON object'],
      ['structured mode without data', withoutAttribute('data'), structured, 'event data is not a JSON object'],
      [
        'structured mode with a string as data',
        Buffer.from(JSON.stringify({ ...full, data: 'hello' })),
        structured,
        'event data is not a JSON object',
      ],
      [
        'structured mode with a non-JSON datacontenttype',
        Buffer.from(JSON.stringify({ ...full, datacontenttype: 'application/xml' })),
        structured,
        'datacontenttype "application/xml" is not JSON: Herald\'s events carry JSON data',
      ],
      [
        'structured mode with both data and data_base64',
        Buffer.from(JSON.stringify({ ...full, data_base64: 'e30=' })),
        structured,
        'structured-mode event has both data and data_base64',
      ],
      [
        'binary mode with a non-JSON content-type',
        binary.value,
        { ...binary.headers, 'content-type': 'text/plain' },
        'content-type "text/plain" is not JSON: send JSON data (binary mode) or application/cloudevents+json (structured mode)',
      ],
      ['structured mode with an array as value', Buffer.from('[]'), structured, 'structured-mode value is not a JSON object'],
      ['structured mode with a string as value', Buffer.from('"event"'), structured, 'structured-mode value is not a JSON object'],
    ])('%s', (_name, value, headers, reason) => {
      expect(decodeError(() => decodeRecord(value, headers)).reason).toBe(reason);
    });

    it('data_base64 that does not hold JSON', () => {
      const rest: Record<string, unknown> = { ...full, data_base64: Buffer.from('not json').toString('base64') };
      delete rest['data'];
      const error = decodeError(() => decodeRecord(Buffer.from(JSON.stringify(rest)), structured));
      expect(error.reason).toMatch(/^data_base64 is not valid JSON: /);
    });

    it.each([
      ['binary', binary.headers],
      ['structured', structured],
    ])('a value that is not JSON (%s mode)', (_mode, headers) => {
      const error = decodeError(() => decodeRecord(Buffer.from('{"id": '), headers));
      expect(error.reason).toMatch(/^value is not valid JSON: /);
    });
  });
});

describe('conformance with the CloudEvents JavaScript SDK (Kafka protocol binding)', () => {
  /** The SDK's view of a consumed Kafka message. Its types want a string key; Herald's may be null. */
  function toSdkMessage(record: KafkaRecord): KafkaMessage<Buffer> {
    return { key: record.key as string, value: record.value, body: record.value, headers: { ...(record.headers as Record<string, string>) } };
  }

  it('reads a binary-mode record from encodeBinary as the same, valid CloudEvent', () => {
    const record = encodeBinary(full, 'd8ff4176-4abe-5a1b-8ad3-dcbfd9756b71');
    expect(Kafka.isEvent(toSdkMessage(record))).toBe(true);
    const event = Kafka.toEvent(toSdkMessage(record)) as CloudEvent<typeof data>;

    expect(event).toBeInstanceOf(CloudEvent);
    expect(event.validate()).toBe(true); // spec version, attribute and extension names, time format
    expect(event.specversion).toBe('1.0');
    expect(event.id).toBe(full.id);
    expect(event.type).toBe(full.type);
    expect(event.source).toBe(full.source);
    expect(event.time).toBe(full.time);
    expect(event.subject).toBe(full.subject);
    expect(event.datacontenttype).toBe('application/json'); // from the content-type header (binding §3.2.1)
    expect(event['partitionkey']).toBe(record.key); // the record key (binding §3.1)
    expect(event.data).toEqual(data);
    for (const ext of ['correlationid', 'causationid', 'division', 'traceparent', 'tracestate'] as const) {
      expect(event[ext]).toBe(full[ext]);
    }
  });

  it('reads a minimal binary-mode record as a valid CloudEvent', () => {
    const event = Kafka.toEvent(toSdkMessage(encodeBinary(minimal, 'k'))) as CloudEvent<typeof data>;
    expect(event.validate()).toBe(true);
    expect(event.data).toEqual(data);
  });

  it('reads a structured-mode record from encodeStructured as the same, valid CloudEvent', () => {
    const record = encodeStructured(full, 'd8ff4176-4abe-5a1b-8ad3-dcbfd9756b71');
    const message = toSdkMessage(record);
    expect(Kafka.isEvent(message)).toBe(true);
    const event = Kafka.toEvent(message) as CloudEvent<typeof data>;
    expect(event.validate()).toBe(true);
    expect(event.id).toBe(full.id);
    expect(event.type).toBe(full.type);
    expect(event.time).toBe(full.time);
    expect(event.data).toEqual(data);
    for (const ext of ['correlationid', 'causationid', 'division', 'traceparent', 'tracestate'] as const) {
      expect(event[ext]).toBe(full[ext]);
    }
  });

  it('reads a batched-mode record from encodeBatch as the same, valid CloudEvents, in order', () => {
    const second = { ...minimal, id: 'a1b2c3d4-0000-4000-8000-000000000002' };
    const message = toSdkMessage(encodeBatch([structuredJson(full), structuredJson(second)], 'k'));
    expect(Kafka.isEvent(message)).toBe(true);
    const events = Kafka.toEvent(message) as CloudEvent<typeof data>[];
    expect(events).toHaveLength(2);
    for (const e of events) expect(e.validate()).toBe(true);
    expect(events.map((e) => e.id)).toEqual([full.id, second.id]);
    expect(events[0]!.traceparent).toBe(full.traceparent);
    expect(events[1]!.data).toEqual(data);
  });

  it('decodes a structured-mode message the SDK produced', () => {
    const sdkEvent = new CloudEvent<typeof data>({ ...full, partitionkey: 'k' } as never);
    const message = Kafka.structured(sdkEvent);
    const decoded = decodeRecord(Buffer.from(message.value as string), message.headers as KafkaHeaders);
    expect(decoded).toMatchObject(full);
  });

  it('decodes a binary-mode message the SDK produced', () => {
    const sdkEvent = new CloudEvent<typeof data>({ ...full, partitionkey: 'k' } as never);
    const message = Kafka.binary(sdkEvent);
    // The SDK leaves serialising the value to the Kafka client.
    const decoded = decodeRecord(Buffer.from(JSON.stringify(message.value)), message.headers as KafkaHeaders);
    expect(decoded).toMatchObject(full);
  });
});
