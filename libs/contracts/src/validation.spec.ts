// validatePayload's fast path, the compiled JSON Schema, must answer as class-validator does: it
// never accepts what class-validator refuses (class-validator only runs on what the schema refuses).
// The probes are made from class-validator's own rules (its metadata, not the schema), so a rule the
// schema leaves out is caught: every rule of every event class, nested ones included, gets values
// that break it and values at its edge that keep it, and both validators must give the intended answer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { allEventClasses, EventClass } from './topics';
import { schemaAccepts, validatePayload, validateWithClassValidator } from './validation';

type Json = Record<string, unknown>;
type Path = Array<string | number>;
interface Probe {
  label: string;
  payload: Json;
  accepted: boolean;
}

const golden = (cls: EventClass): Json => JSON.parse(readFileSync(join(__dirname, 'golden', `${cls.type}.json`), 'utf8')) as Json;
const byType = (type: string): EventClass => allEventClasses().find((c) => c.type === type)!;

/** Valid payloads beyond the golden examples, so that every nested class is reached. */
function basesOf(cls: EventClass): Json[] {
  if (cls.type !== 'io.herald.campaign.status-changed.v1') return [golden(cls)];
  const { sms: _sms, ...rest } = golden(cls);
  const email = {
    ...rest,
    channel: 'email',
    email: { emailColumns: ['Email', 'Work Email'], contentTemplateId: '60644bd0-bafc-4cb6-88c6-4959f492d27c', fromAddress: 'news@mail.example.org', fromName: 'News', replyTo: 'desk@mail.example.org' },
  };
  return [golden(cls), email];
}

const UUID = '0cb8a7d9-e6cf-4601-b986-c475676738c1';
const REMOVE = Symbol('remove');

function rulesOf(target: object): ValidationMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(target as new () => unknown, '', true, false);
}

function nestedClassOf(target: object, property: string): object {
  const type = defaultMetadataStorage.findTypeMetadata(target as new () => unknown, property);
  if (!type) throw new Error(`${(target as { name: string }).name}.${property} is nested without @Type`);
  return type.typeFunction() as object;
}

function get(obj: unknown, path: Path): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], obj);
}

function withValue(base: Json, path: Path, value: unknown): Json {
  const copy = structuredClone(base);
  const parent = get(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (value === REMOVE) delete parent[key];
  else parent[key] = value;
  return copy;
}

const heart = '\u2764\uFE0F'; // an emoji with its variation selector: one character to class-validator, two code points
const repeat = (s: string, n: number): string => s.repeat(n);

type Values = Record<string, unknown>;

/** A value probing one rule: what it is, the value, whether the rule keeps (accepts) it. */
type ValueProbe = [what: string, value: unknown, accepted: boolean];

/** Probe values, each named by what it is: those that break a rule (refused), then those that keep it (accepted). */
function breaksKeeps(breaks: Values, keeps: Values = {}): ValueProbe[] {
  const named = (values: Values, accepted: boolean) => Object.entries(values).map(([what, value]): ValueProbe => [what, value, accepted]);
  return [...named(breaks, false), ...named(keeps, true)];
}

/** Values that break or keep one rule, given the property's current value. */
function valuesFor(rule: ValidationMetadata, current: unknown): ValueProbe[] {
  const c = (rule.constraints ?? []) as unknown[];
  switch (rule.name) {
    case 'isString':
      return breaksKeeps({ 'a number': 42 });
    case 'isUuid':
      return breaksKeeps(
        {
          'not a UUID': 'not-a-uuid',
          'a urn:uuid: UUID': `urn:uuid:${UUID}`,
          'a version-0 UUID': '0cb8a7d9-e6cf-0601-b986-c475676738c1',
          'a UUID of the wrong variant': '0cb8a7d9-e6cf-4601-7986-c475676738c1',
        },
        { 'an upper-case UUID': UUID.toUpperCase(), 'the nil UUID': '00000000-0000-0000-0000-000000000000' },
      );
    case 'isIn':
      return breaksKeeps({ 'a value not listed': 'not-listed' }, Object.fromEntries((c[0] as unknown[]).map((v) => [`listed ${String(v)}`, v])));
    case 'isInt':
      return breaksKeeps({ 'a fraction': 1.5, 'a numeric string': '1' });
    case 'min':
      return breaksKeeps({ 'below the minimum': (c[0] as number) - 1 }, { 'the minimum': c[0] });
    case 'max':
      return breaksKeeps({ 'above the maximum': (c[0] as number) + 1 }, { 'the maximum': c[0] });
    case 'isBoolean':
      return breaksKeeps({ 'a string': 'true' });
    case 'isArray':
      return breaksKeeps({ 'a string': 'x', 'an object': {} });
    case 'arrayMaxSize': {
      const items = (n: number) => Array.from({ length: n }, () => (current as unknown[])[0]);
      return breaksKeeps({ 'too many items': items((c[0] as number) + 1) }, { 'as many items as allowed': items(c[0] as number) });
    }
    case 'arrayMinSize':
      return breaksKeeps({ 'too few items': (current as unknown[]).slice(0, (c[0] as number) - 1) });
    case 'isObject':
      return breaksKeeps({ 'an array': [], 'a string': 'x' }, { 'an object of any keys': { 'Any Column': 'x', n: 1 } });
    case 'maxLength':
    case 'isLength': {
      const [min, max] = rule.name === 'maxLength' ? [0, c[0] as number] : [c[0] as number, c[1] as number];
      const breaks: Values = { 'a string one too long': repeat('a', max + 1), 'one emoji too many': repeat(heart, max + 1) };
      const keeps: Values = {
        'the longest string allowed': repeat('a', max),
        'the longest allowed in emoji with variation selectors': repeat(heart, max),
        'the longest allowed in astral characters': repeat('\u{1F600}', max),
      };
      if (min > 0) {
        breaks['a string one too short'] = repeat('a', min - 1);
        (min <= 1 ? keeps : breaks)['a lone variation selector'] = '\uFE0F';
      }
      return breaksKeeps(breaks, keeps);
    }
    case 'matches':
      return breaksKeeps(
        { 'digits without the plus': '2015550123', 'a leading zero': '+0123456', '16 digits': '+1234567890123456', 'a trailing newline': '+12015550123\n' },
        { 'an E.164 number': '+12015550123' },
      );
    case 'isIso8601':
      return breaksKeeps(
        { 'not a date': 'yesterday', 'lower-case separators': '2025-05-13t14:02:07z', 'a leap second': '2016-12-31T23:59:60Z' },
        { 'a date-time': '2025-05-13T14:02:07.318Z', 'a date-time with an offset': '2025-05-13T16:02:07+02:00', 'a date': '2025-05-13' },
      );
    default:
      throw new Error(
        `validation.spec.ts does not know @${rule.name ?? rule.type}: teach it values that break and keep the rule, ` +
          `and make sure jsonSchemaOf expresses it exactly (or keep class-validator alone for the class)`,
      );
  }
}

/** Every probe of the object of class `target` found at `path` in `base`; records the classes reached. */
function probesAt(target: object, base: Json, path: Path, reached: Set<object>): Probe[] {
  reached.add(target);
  const here = path.join('.') || '(top)';
  const probes: Probe[] = [{ label: `${here}: an unknown extra property`, payload: withValue(base, [...path, 'unexpectedField'], 'x'), accepted: false }];
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const rule of rulesOf(target)) byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  for (const [property, rules] of byProperty) {
    const at = [...path, property];
    const name = at.join('.');
    const current = get(base, at);
    const optional = rules.some((r) => r.type === ValidationTypes.CONDITIONAL_VALIDATION);
    probes.push({ label: `${name}: absent`, payload: withValue(base, at, REMOVE), accepted: optional });
    for (const rule of rules) {
      if (rule.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        if (rule.name !== 'isOptional') throw new Error(`validation.spec.ts does not know the condition ${rule.name}`);
        continue;
      }
      if (rule.type === ValidationTypes.NESTED_VALIDATION) {
        probes.push({ label: `${name}: not an object`, payload: withValue(base, at, 'x'), accepted: false });
        if (current === undefined) continue; // another base reaches it
        const nested = nestedClassOf(target, property);
        if (rule.each) {
          probes.push({ label: `${name}: an item not an object`, payload: withValue(base, [...at, 0], 'x'), accepted: false });
          probes.push(...probesAt(nested, base, [...at, 0], reached));
        } else {
          probes.push(...probesAt(nested, base, at, reached));
        }
        continue;
      }
      if (rule.type !== ValidationTypes.CUSTOM_VALIDATION) throw new Error(`validation.spec.ts does not know rules of type ${rule.type}`);
      for (const [what, value, accepted] of valuesFor(rule, current)) {
        if (rule.each) probes.push({ label: `${name}: an item that is ${what}`, payload: withValue(base, at, [value]), accepted });
        else probes.push({ label: `${name}: ${what}`, payload: withValue(base, at, value), accepted });
      }
    }
  }
  return probes;
}

/** Every class the events reach through @ValidateNested, whatever the example payloads hold. */
function nestedClasses(target: object, into = new Set<object>()): Set<object> {
  into.add(target);
  for (const rule of rulesOf(target)) {
    if (rule.type === ValidationTypes.NESTED_VALIDATION) nestedClasses(nestedClassOf(target, rule.propertyName), into);
  }
  return into;
}

const classes = allEventClasses();
const reached = new Set<object>();
const probes = classes.flatMap((cls) =>
  basesOf(cls).flatMap((base, i) => [
    { cls, label: `example ${i}`, payload: base, accepted: true },
    ...probesAt(cls, base, [], reached).map((p) => ({ ...p, cls, label: `example ${i}, ${p.label}` })),
  ]),
);

describe('the compiled JSON Schema and class-validator', () => {
  it.each(probes.map((p) => [p.cls.type, p.label, p] as const))('%s, %s: both give the intended answer', (_type, _label, probe) => {
    const byClassValidator = validateWithClassValidator(probe.cls, probe.payload);
    expect({ classValidator: byClassValidator.ok, schema: schemaAccepts(probe.cls, probe.payload) }).toEqual({ classValidator: probe.accepted, schema: probe.accepted });
    const result = validatePayload(probe.cls, probe.payload);
    expect(result).toEqual(probe.accepted ? { ok: true, value: probe.payload } : byClassValidator);
  });

  it('probes every class an event nests, through the examples', () => {
    const all = new Set(classes.flatMap((cls) => [...nestedClasses(cls)]));
    expect([...all].filter((c) => !reached.has(c)).map((c) => (c as { name: string }).name)).toEqual([]);
    expect(all.size).toBeGreaterThan(classes.length);
  });

  it('leaves an optional field set to null to class-validator, which accepts it (the schema does not)', () => {
    const cls = byType('io.herald.delivery.result.v1');
    const payload = { ...golden(cls), campaignId: null };
    expect(schemaAccepts(cls, payload)).toBe(false);
    const result = validatePayload(cls, payload);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value).toBeInstanceOf(cls);
  });

  it('words a refusal as class-validator does, every error at once', () => {
    const cls = byType('io.herald.message.sms-rendered.v1');
    const result = validatePayload(cls, { ...golden(cls), to: '555-0100', segments: 13, extra: 1 });
    expect(result).toEqual({
      ok: false,
      reason: 'extra: property extra should not exist; to must match /^\\+[1-9]\\d{1,14}$/ regular expression; segments must not be greater than 12',
    });
  });
});
