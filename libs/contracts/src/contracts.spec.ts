// Every event type in the registry is a contract: a golden example that the runtime validator and
// the published JSON Schema both accept, and broken copies of it that both refuse with a reason
// naming the field. Iterates the registry, so a new event without a golden example fails here.
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaOf, JsonSchema } from './schemas';
import { allEventClasses, EventClass, TOPICS, TopicName } from './topics';
import { validateEvent, validatePayload } from './validation';

type Json = Record<string, unknown>;

const GOLDEN_DIR = join(__dirname, 'golden');

function golden(cls: EventClass): Json {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, `${cls.type}.json`), 'utf8')) as Json;
}

function compile(schema: JsonSchema): ValidateFunction {
  // strict: an unknown keyword or a loose type in a generated schema is an error, not a shrug.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

function schemaReason(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('; ');
}

/** Both validators refuse `payload`, each with a reason that names `field` (a dotted path). */
function expectBothRefuse(cls: EventClass, validate: ValidateFunction, payload: unknown, field: string): void {
  const runtime = validatePayload(cls, payload);
  expect(runtime.ok).toBe(false);
  if (!runtime.ok) expect(runtime.reason).toContain(field);

  expect(validate(payload)).toBe(false);
  const leaf = field.split('.').pop()!;
  const pointer = `/${field.split('.').join('/')}`;
  const named = (validate.errors ?? []).some(
    (e) =>
      e.instancePath === pointer ||
      e.instancePath.startsWith(`${pointer}/`) ||
      (e.params as Json)['missingProperty'] === leaf ||
      (e.params as Json)['additionalProperty'] === leaf,
  );
  if (!named) throw new Error(`schema errors do not name ${field}: ${schemaReason(validate.errors)}`);
}

/** A value of another JSON type than `value`, which any type rule must refuse. */
function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'not-an-array';
  return 'not-an-object';
}

function without(obj: Json, key: string): Json {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/** Name of the $defs entry a property refers to (a nested @ValidateNested object), if any. */
function nestedDefName(schema: JsonSchema, property: string): string | undefined {
  const prop = (schema['properties'] as Record<string, Json>)[property];
  const ref = prop?.['$ref'];
  return typeof ref === 'string' ? ref.replace('#/$defs/', '') : undefined;
}

const classes = allEventClasses();

describe.each(classes.map((cls) => [cls.type, cls] as const))('%s', (_type, cls) => {
  const schema = jsonSchemaOf(cls);
  const validate = compile(schema);
  const example = golden(cls);
  const required = (schema['required'] as string[] | undefined) ?? [];
  const defs = (schema['$defs'] ?? {}) as Record<string, JsonSchema>;

  it('has a JSON Schema titled with its type that refuses unknown properties', () => {
    expect(schema['title']).toBe(cls.type);
    expect(schema['additionalProperties']).toBe(false);
    for (const def of Object.values(defs)) expect(def['additionalProperties']).toBe(false);
  });

  it('accepts its golden example with the runtime validator, on its fast path (the value is the payload itself)', () => {
    const result = validatePayload(cls, example);
    expect(result.ok && result.value).toBe(example);
  });

  it('accepts its golden example with the JSON Schema', () => {
    if (!validate(example)) throw new Error(schemaReason(validate.errors));
  });

  it('is accepted on every topic that carries it', () => {
    const topics = (Object.keys(TOPICS) as TopicName[]).filter((t) => (TOPICS[t] as readonly EventClass[]).includes(cls));
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect(validateEvent(topic, cls.type, example).ok).toBe(true);
  });

  it('has a golden example that sets every required field', () => {
    expect(required.length).toBeGreaterThan(0);
    for (const field of required) expect(example).toHaveProperty([field]);
  });

  it.each(required)('refuses a copy without required field %s', (field) => {
    expectBothRefuse(cls, validate, without(example, field), field);
  });

  it.each(Object.keys(example))('refuses a copy with a wrong type for %s', (field) => {
    expectBothRefuse(cls, validate, { ...example, [field]: wrongTypeFor(example[field]) }, field);
  });

  it('refuses an unknown extra property', () => {
    expectBothRefuse(cls, validate, { ...example, unexpectedField: 'x' }, 'unexpectedField');
  });

  // Nested objects (@ValidateNested) keep the same rules one level down.
  const nested = Object.keys(example).flatMap((field) => {
    const def = nestedDefName(schema, field);
    return def ? [[field, defs[def]!] as const] : [];
  });
  if (nested.length > 0) {
    describe.each(nested)('nested %s', (field, def) => {
      const inner = example[field] as Json;
      const innerRequired = (def['required'] as string[] | undefined) ?? [];

      it.each(innerRequired)(`refuses a copy without ${field}.%s`, (key) => {
        expectBothRefuse(cls, validate, { ...example, [field]: without(inner, key) }, `${field}.${key}`);
      });

      it.each(Object.keys(inner))(`refuses a copy with a wrong type for ${field}.%s`, (key) => {
        expectBothRefuse(cls, validate, { ...example, [field]: { ...inner, [key]: wrongTypeFor(inner[key]) } }, `${field}.${key}`);
      });

      it(`refuses an unknown property inside ${field}`, () => {
        expectBothRefuse(cls, validate, { ...example, [field]: { ...inner, unexpectedField: 'x' } }, `${field}.unexpectedField`);
      });
    });
  }
});

describe('golden examples', () => {
  it('has one per registered event type and none for unknown types', () => {
    const files = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(classes.map((c) => `${c.type}.json`).sort());
  });

  it('gives every event class a distinct type', () => {
    expect(new Set(classes.map((c) => c.type)).size).toBe(classes.length);
  });
});

describe('rules the generated schemas must carry', () => {
  // Spot checks of the rule kinds most likely to be lost in translation to JSON Schema; the
  // per-type tests above only probe types and required fields.
  const byType = (type: string): EventClass => classes.find((c) => c.type === type)!;
  const cases: Array<[string, string, unknown]> = [
    // @Matches(E164)
    ['io.herald.message.sms-rendered.v1', 'to', '2015550123'],
    // @IsIn
    ['io.herald.delivery.result.v1', 'outcome', 'lost'],
    ['io.herald.campaign.status-changed.v1', 'channel', 'fax'],
    // @IsUUID
    ['io.herald.campaign.audience.v1', 'campaignId', 'campaign-1'],
    // @IsInt @Min @Max
    ['io.herald.message.sms-rendered.v1', 'segments', 0],
    ['io.herald.message.sms-rendered.v1', 'segments', 13],
    ['io.herald.message.sms-rendered.v1', 'segments', 1.5],
    ['io.herald.campaign.audience.v1', 'totalContacts', -1],
    // @MaxLength
    ['io.herald.message.sms-rendered.v1', 'body', 'a'.repeat(766)],
    ['io.herald.delivery.result.v1', 'reason', 'r'.repeat(201)],
    ['io.herald.contact.dispatched.v1', 'senderName', 'n'.repeat(257)],
    // @ArrayMaxSize, @IsUUID({ each: true })
    ['io.herald.contact.dispatched.v1', 'dncListIds', Array.from({ length: 51 }, () => '0cb8a7d9-e6cf-4601-b986-c475676738c1')],
    ['io.herald.contact.cleared.v1', 'dncListIds', ['not-a-uuid']],
    // @ValidateNested({ each: true }) + @Type: the items of an array of objects
    ['io.herald.trigger.message.v1', 'messagingTemplate', { responseId: '60644bd0-bafc-4cb6-88c6-4959f492d27c', parameters: [{ id: 'orderNumber' }] }],
    ['io.herald.trigger.message.v1', 'messagingTemplate', { responseId: '60644bd0-bafc-4cb6-88c6-4959f492d27c', parameters: [{ id: 'a', value: 'b', extra: 1 }] }],
    // @IsISO8601
    ['io.herald.delivery.result.v1', 'occurredAt', 'yesterday'],
  ];

  it.each(cases)('%s refuses %s = %j in both validators', (type, field, value) => {
    const cls = byType(type);
    expectBothRefuse(cls, compile(jsonSchemaOf(cls)), { ...golden(cls), [field]: value }, field);
  });

  it('refuses a wrong value inside a nested object (@ValidateNested + @Matches)', () => {
    const cls = byType('io.herald.campaign.status-changed.v1');
    const example = golden(cls);
    const payload = { ...example, sms: { ...(example['sms'] as Json), senderSmsPhoneNumber: '555-0100' } };
    expectBothRefuse(cls, compile(jsonSchemaOf(cls)), payload, 'sms.senderSmsPhoneNumber');
  });

  it('leaves contactData open: any column names are accepted by both validators', () => {
    const cls = byType('io.herald.contact.dispatched.v1');
    const payload = { ...golden(cls), contactData: { 'Any Column': 'x', Another_One: 'y' } };
    expect(validatePayload(cls, payload).ok).toBe(true);
    expect(compile(jsonSchemaOf(cls))(payload)).toBe(true);
  });
});
