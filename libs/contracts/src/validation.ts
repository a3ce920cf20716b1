import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats, { FormatName } from 'ajv-formats';
import { plainToInstance } from 'class-transformer';
import { isISO8601, isUUID, maxLength, minLength, ValidationError, validateSync } from 'class-validator';
import { jsonSchemaOf } from './schemas';
import { EventClass, TopicName, eventClassFor } from './topics';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function describe(errors: ValidationError[], prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out.push(...Object.values(e.constraints).map((m) => (m.startsWith(e.property) ? `${prefix ? prefix + '.' : ''}${m}` : `${path}: ${m}`)));
    if (e.children?.length) out.push(...describe(e.children, path));
  }
  return out;
}

/**
 * The fast path: each event class's JSON Schema (jsonSchemaOf, the published one) compiled by ajv.
 * It must never accept what class-validator refuses, so where the two disagree on the meaning of a
 * rule, ajv is given class-validator's own: the string formats accept only what both the JSON
 * Schema format and the class-validator decorator it stands for accept (ajv's `uuid` takes any
 * version and a `urn:uuid:` prefix, its `date-time` a lower-case `t`, which @IsUUID and
 * @IsISO8601 refuse), and string lengths are counted as class-validator counts them (it does not
 * count an emoji's variation selector). validation.spec.ts holds the two to the same answers.
 */
function fastValidators(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true });
  const formats: Array<[FormatName, (s: string) => boolean]> = [
    ['uuid', (s) => isUUID(s)], // @IsUUID()
    ['date', (s) => isISO8601(s)], // @IsISO8601(): oneOf date, date-time
    ['date-time', (s) => isISO8601(s)],
  ];
  for (const [name, rule] of formats) {
    const standard = standardFormat(name);
    ajv.addFormat(name, { type: 'string', validate: (s: string) => standard(s) && rule(s) });
  }
  ajv.removeKeyword('minLength').removeKeyword('maxLength');
  ajv.addKeyword({ keyword: 'minLength', type: 'string', schemaType: 'number', errors: false, validate: (min: number, s: string) => minLength(s, min) });
  // class-validator never counts more characters than a string has UTF-16 units: most strings need no counting.
  ajv.addKeyword({ keyword: 'maxLength', type: 'string', schemaType: 'number', errors: false, validate: (max: number, s: string) => s.length <= max || maxLength(s, max) });
  return ajv;
}

function standardFormat(name: FormatName): (s: string) => boolean {
  const format = addFormats.get(name);
  if (format instanceof RegExp) return (s) => format.test(s);
  if (typeof format === 'object' && typeof format.validate === 'function') return format.validate as (s: string) => boolean;
  throw new Error(`ajv-formats defines ${name} in a way validation.ts does not read`);
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<EventClass, ValidateFunction>();

/** The fast path alone: whether the JSON Schema of `cls`, compiled on first use, accepts `data`. */
export function schemaAccepts(cls: EventClass, data: unknown): boolean {
  let validate = compiled.get(cls);
  if (!validate) {
    ajv ??= fastValidators();
    validate = ajv.compile(jsonSchemaOf(cls));
    compiled.set(cls, validate);
  }
  return validate(data);
}

/** class-validator alone: the authority on what an event may be, and the words of every reason. */
export function validateWithClassValidator<C extends EventClass>(cls: C, data: object): ValidationResult<InstanceType<C>> {
  const instance = plainToInstance(cls as unknown as new () => InstanceType<C>, data);
  const errors = validateSync(instance as object, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) return { ok: false, reason: describe(errors).join('; ') };
  return { ok: true, value: instance };
}

/**
 * Validates a plain payload against an event class; unknown properties are refused. The compiled
 * JSON Schema decides first; only what it refuses goes through class-validator, which has the last
 * word (it also takes an optional field set to null, which the schema does not) and words the
 * reason. The value is the payload itself when the schema accepts it, a class instance otherwise:
 * callers must not rely on either.
 */
export function validatePayload<C extends EventClass>(cls: C, data: unknown): ValidationResult<InstanceType<C>> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'payload is not a JSON object' };
  }
  if (schemaAccepts(cls, data)) return { ok: true, value: data as InstanceType<C> };
  return validateWithClassValidator(cls, data);
}

/** Validates an event of a given CloudEvents type arriving on a topic. */
export function validateEvent(topic: TopicName, type: string, data: unknown): ValidationResult<unknown> {
  const cls = eventClassFor(topic, type);
  if (!cls) return { ok: false, reason: `event type "${type}" is not carried by topic ${topic}` };
  return validatePayload(cls, data);
}
