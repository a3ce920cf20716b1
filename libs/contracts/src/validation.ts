import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
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

/** Validates a plain payload against an event class; unknown properties are refused. */
export function validatePayload<C extends EventClass>(cls: C, data: unknown): ValidationResult<InstanceType<C>> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'payload is not a JSON object' };
  }
  const instance = plainToInstance(cls as unknown as new () => InstanceType<C>, data);
  const errors = validateSync(instance as object, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) return { ok: false, reason: describe(errors).join('; ') };
  return { ok: true, value: instance };
}

/** Validates an event of a given CloudEvents type arriving on a topic. */
export function validateEvent(topic: TopicName, type: string, data: unknown): ValidationResult<unknown> {
  const cls = eventClassFor(topic, type);
  if (!cls) return { ok: false, reason: `event type "${type}" is not carried by topic ${topic}` };
  return validatePayload(cls, data);
}
