// CPU per consumed event of payload validation, no Kafka: validatePayload (the compiled JSON Schema,
// class-validator only for what it refuses) against class-validator alone (what every consumer ran
// per event before), over each event type's golden example, each event a distinct freshly parsed
// object as a consumer gets it. One JSON line per event type.
//
//   node dist/bench/validation.js     (BENCH_VALIDATION_EVENTS per type and way, default 200,000)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allEventClasses, EventClass, validatePayload, validateWithClassValidator } from '@herald/contracts';
import { round } from './relay';

const EVENTS = Number(process.env['BENCH_VALIDATION_EVENTS'] ?? 200_000);
const GOLDEN_DIR = join(__dirname, '..', '..', 'libs', 'contracts', 'src', 'golden');

/** µs per event of `validate` over `EVENTS` parsed copies of `json`, after a warm-up of a tenth as many. */
function microsPerEvent(json: string, validate: (data: object) => boolean): number {
  const run = (n: number) => {
    const events = Array.from({ length: n }, () => JSON.parse(json) as object);
    const start = process.hrtime.bigint();
    for (const e of events) if (!validate(e)) throw new Error('the golden example was refused');
    return Number(process.hrtime.bigint() - start) / 1e3 / n;
  };
  run(Math.ceil(EVENTS / 10));
  return run(EVENTS);
}

function benchType(cls: EventClass) {
  const json = readFileSync(join(GOLDEN_DIR, `${cls.type}.json`), 'utf8');
  const classValidatorOnly = microsPerEvent(json, (e) => validateWithClassValidator(cls, e).ok);
  const validatePayloadUs = microsPerEvent(json, (e) => validatePayload(cls, e).ok);
  return {
    case: 'validation',
    type: cls.type,
    events: EVENTS,
    classValidatorMicrosPerEvent: round(classValidatorOnly),
    validatePayloadMicrosPerEvent: round(validatePayloadUs),
    speedup: round(classValidatorOnly / validatePayloadUs),
  };
}

if (require.main === module) {
  for (const cls of allEventClasses()) console.log(JSON.stringify(benchType(cls)));
}
