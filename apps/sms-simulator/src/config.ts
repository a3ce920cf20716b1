// Boot configuration of the SMS aggregator simulator, read from the environment and validated
// once. Every problem names the variable at fault; main.ts prints them and exits non-zero.
// The fault knobs (latency, late answers, rates, reject kind, seed, senders) can also be changed
// at run time through PUT /_simulator/config, which goes through validateFaults() below.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EventRule, eventRuleProblems, EventSettings, EventTarget } from './events';

/** E.164: a plus sign, then 2 to 15 digits, the first one not zero. */
export const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * How an injected rejection (rejectRate) is answered. Each is an error the real service gives for
 * a destination it will not deliver to:
 * - `opted-out`: ConflictException, Reason DESTINATION_PHONE_NUMBER_OPTED_OUT (the recipient
 *   replied STOP to this sender/account earlier);
 * - `country-blocked`: ValidationException, Reason DESTINATION_COUNTRY_BLOCKED;
 * - `protect-blocked`: ConflictException, Reason DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE.
 */
export const REJECT_KINDS = ['opted-out', 'country-blocked', 'protect-blocked'] as const;
export type RejectKind = (typeof REJECT_KINDS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The knobs that can change while the simulator runs (faults, and the delivery events' mix). */
export interface FaultSettings extends EventSettings {
  /** Fixed latency added before a SendTextMessage request is processed, in milliseconds. */
  latencyMs: number;
  /**
   * Delay between accepting a message (logged, its events scheduled) and answering it, in
   * milliseconds: the provider took the message but its answer is late. A client that gives up
   * sooner has an ambiguous send of a message that did go out.
   */
  lateAnswerMs: number;
  /** Share (0..1) of valid requests answered with a definite rejection (see rejectKind). */
  rejectRate: number;
  /** Share (0..1) of requests answered ThrottlingException. */
  throttleRate: number;
  /** Share (0..1) of requests answered InternalServerException (nothing recorded). */
  failRate: number;
  rejectKind: RejectKind;
  /** Seed of the fault draws; null draws from Math.random. */
  seed: number | null;
  /** Sender numbers (E.164) this "account" owns; empty accepts any E.164 sender. */
  senders: string[];
}

export interface SimulatorConfig extends FaultSettings {
  port: number;
  /** Interface to listen on; undefined listens on every interface (Node's default). */
  host: string | undefined;
  /** The append-only JSONL log of accepted messages. */
  logPath: string;
  /** How many accepted messages are kept in memory for GET /_simulator/messages. */
  memoryLimit: number;
  logLevel: LogLevel;
  /** Where delivery events are published as SNS notifications; undefined: no events. */
  events?: EventTarget;
  /** The base URL subscribers reach this process at (the SigningCertURL is `<it>/_sns/certificate.pem`); default the loopback and the bound port. */
  publicUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid sms-simulator configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_PORT = 4599;
export const DEFAULT_MEMORY_LIMIT = 200_000;
export const MAX_LATENCY_MS = 120_000;
export const MAX_EVENT_DELAY_MS = 3_600_000;
export const MAX_EVENT_DUPLICATES = 5;
export const DEFAULT_EVENTS_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:herald-local-sms-events';

export const DEFAULT_FAULTS: FaultSettings = {
  latencyMs: 0,
  lateAnswerMs: 0,
  rejectRate: 0,
  throttleRate: 0,
  failRate: 0,
  rejectKind: 'opted-out',
  seed: null,
  senders: [],
  eventDelayMs: 100,
  eventRules: [],
  eventDuplicates: 1,
  eventOrder: 'natural',
};

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Env = process.env): SimulatorConfig {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T | string): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const parsed = parse(raw.trim());
    if (typeof parsed === 'string' && typeof fallback !== 'string') {
      problems.push(`${name}=${JSON.stringify(raw)}: ${parsed}`);
      return fallback;
    }
    return parsed as T;
  };

  const port = read('SMS_SIMULATOR_PORT', DEFAULT_PORT, (s) => parseInteger(s, 0, 65_535));
  const latencyMs = read('SMS_SIMULATOR_LATENCY_MS', DEFAULT_FAULTS.latencyMs, (s) => parseInteger(s, 0, MAX_LATENCY_MS));
  const lateAnswerMs = read('SMS_SIMULATOR_LATE_ANSWER_MS', DEFAULT_FAULTS.lateAnswerMs, (s) => parseInteger(s, 0, MAX_LATENCY_MS));
  const rejectRate = read('SMS_SIMULATOR_REJECT_RATE', DEFAULT_FAULTS.rejectRate, parseRate);
  const throttleRate = read('SMS_SIMULATOR_THROTTLE_RATE', DEFAULT_FAULTS.throttleRate, parseRate);
  const failRate = read('SMS_SIMULATOR_FAIL_RATE', DEFAULT_FAULTS.failRate, parseRate);
  const seed = read<number | null>('SMS_SIMULATOR_SEED', null, (s) => parseInteger(s, 0, 0xffff_ffff));
  const memoryLimit = read('SMS_SIMULATOR_MEMORY_LIMIT', DEFAULT_MEMORY_LIMIT, (s) => parseInteger(s, 0, 10_000_000));

  let rejectKind: RejectKind = DEFAULT_FAULTS.rejectKind;
  const rawKind = env.SMS_SIMULATOR_REJECT_KIND?.trim();
  if (rawKind) {
    if ((REJECT_KINDS as readonly string[]).includes(rawKind)) rejectKind = rawKind as RejectKind;
    else problems.push(`SMS_SIMULATOR_REJECT_KIND=${JSON.stringify(rawKind)}: must be one of ${REJECT_KINDS.join(', ')}`);
  }

  let logLevel: LogLevel = 'info';
  const rawLevel = env.LOG_LEVEL?.trim();
  if (rawLevel) {
    if ((LOG_LEVELS as readonly string[]).includes(rawLevel)) logLevel = rawLevel as LogLevel;
    else problems.push(`LOG_LEVEL=${JSON.stringify(rawLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const senders = parseSenders(env.SMS_SIMULATOR_SENDERS ?? '');
  if (typeof senders === 'string') problems.push(`SMS_SIMULATOR_SENDERS: ${senders}`);

  const sum = rejectRate + throttleRate + failRate;
  if (sum > 1 + 1e-9) {
    problems.push(
      `SMS_SIMULATOR_REJECT_RATE + SMS_SIMULATOR_THROTTLE_RATE + SMS_SIMULATOR_FAIL_RATE = ${sum}: the shares must add up to at most 1`,
    );
  }

  const eventDelayMs = read('SMS_SIMULATOR_EVENT_DELAY_MS', DEFAULT_FAULTS.eventDelayMs, (s) => parseInteger(s, 0, MAX_EVENT_DELAY_MS));
  const eventDuplicates = read('SMS_SIMULATOR_EVENT_DUPLICATES', DEFAULT_FAULTS.eventDuplicates, (s) => parseInteger(s, 1, MAX_EVENT_DUPLICATES));
  let eventOrder = DEFAULT_FAULTS.eventOrder;
  const rawOrder = env.SMS_SIMULATOR_EVENT_ORDER?.trim();
  if (rawOrder) {
    if (rawOrder === 'natural' || rawOrder === 'reversed') eventOrder = rawOrder;
    else problems.push(`SMS_SIMULATOR_EVENT_ORDER=${JSON.stringify(rawOrder)}: must be natural or reversed`);
  }
  let eventRules: EventRule[] = [];
  const rawRules = env.SMS_SIMULATOR_EVENT_RULES?.trim();
  if (rawRules) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawRules);
    } catch {
      parsed = undefined;
    }
    const ruleProblems = eventRuleProblems(parsed);
    if (ruleProblems.length) problems.push(`SMS_SIMULATOR_EVENT_RULES: ${ruleProblems.join('; ')}`);
    else eventRules = parsed as EventRule[];
  }
  let events: EventTarget | undefined;
  const eventsUrl = env.SMS_SIMULATOR_EVENTS_URL?.trim();
  if (eventsUrl) {
    if (/^https?:\/\/[^\s]+$/.test(eventsUrl)) events = { url: eventsUrl, topicArn: env.SMS_SIMULATOR_EVENTS_TOPIC_ARN?.trim() || DEFAULT_EVENTS_TOPIC_ARN };
    else problems.push(`SMS_SIMULATOR_EVENTS_URL=${JSON.stringify(eventsUrl)}: must be an http(s) URL`);
  }

  const publicUrl = env.SMS_SIMULATOR_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\/[^\s/]+$/.test(publicUrl)) problems.push(`SMS_SIMULATOR_PUBLIC_URL=${JSON.stringify(publicUrl)}: must be an http(s) URL without a path`);

  const host = env.SMS_SIMULATOR_HOST?.trim() || undefined;
  const logPath = env.SMS_SIMULATOR_LOG?.trim()
    ? resolve(env.SMS_SIMULATOR_LOG.trim())
    : join(heraldHome(env), 'sms-simulator', 'accepted.jsonl');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    logPath,
    memoryLimit,
    logLevel,
    latencyMs,
    lateAnswerMs,
    rejectRate,
    throttleRate,
    failRate,
    rejectKind,
    seed,
    senders: senders as string[],
    eventDelayMs,
    eventRules,
    eventDuplicates,
    eventOrder,
    events,
    publicUrl,
  };
}

/**
 * Validates a runtime change (the body of PUT /_simulator/config) against the current settings.
 * Returns the merged settings, or the list of problems (each naming the field).
 */
export function validateFaults(current: FaultSettings, patch: unknown): FaultSettings | string[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return ['body: must be a JSON object'];
  const p = patch as Record<string, unknown>;
  const problems: string[] = [];
  const next: FaultSettings = { ...current, senders: [...current.senders], eventRules: [...current.eventRules] };
  const known = new Set(['latencyMs', 'lateAnswerMs', 'rejectRate', 'throttleRate', 'failRate', 'rejectKind', 'seed', 'senders', 'eventDelayMs', 'eventRules', 'eventDuplicates', 'eventOrder']);
  for (const key of Object.keys(p)) if (!known.has(key)) problems.push(`${key}: unknown setting (known: ${[...known].join(', ')})`);

  for (const key of ['latencyMs', 'lateAnswerMs'] as const) {
    const v = p[key];
    if (v === undefined) continue;
    if (isIntegerIn(v, 0, MAX_LATENCY_MS)) next[key] = v;
    else problems.push(`${key}: must be an integer from 0 to ${MAX_LATENCY_MS}`);
  }
  for (const key of ['rejectRate', 'throttleRate', 'failRate'] as const) {
    const v = p[key];
    if (v === undefined) continue;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1) next[key] = v;
    else problems.push(`${key}: must be a number from 0 to 1`);
  }
  if (p.rejectKind !== undefined) {
    if (typeof p.rejectKind === 'string' && (REJECT_KINDS as readonly string[]).includes(p.rejectKind)) {
      next.rejectKind = p.rejectKind as RejectKind;
    } else problems.push(`rejectKind: must be one of ${REJECT_KINDS.join(', ')}`);
  }
  if (p.seed !== undefined) {
    if (p.seed === null || isIntegerIn(p.seed, 0, 0xffff_ffff)) next.seed = p.seed;
    else problems.push('seed: must be null or an integer from 0 to 4294967295');
  }
  if (p.senders !== undefined) {
    const list = Array.isArray(p.senders) && p.senders.every((s) => typeof s === 'string') ? parseSenders(p.senders.join(',')) : 'must be an array of E.164 numbers';
    if (typeof list === 'string') problems.push(`senders: ${list}`);
    else next.senders = list;
  }
  if (p.eventDelayMs !== undefined) {
    if (isIntegerIn(p.eventDelayMs, 0, MAX_EVENT_DELAY_MS)) next.eventDelayMs = p.eventDelayMs;
    else problems.push(`eventDelayMs: must be an integer from 0 to ${MAX_EVENT_DELAY_MS}`);
  }
  if (p.eventDuplicates !== undefined) {
    if (isIntegerIn(p.eventDuplicates, 1, MAX_EVENT_DUPLICATES)) next.eventDuplicates = p.eventDuplicates;
    else problems.push(`eventDuplicates: must be an integer from 1 to ${MAX_EVENT_DUPLICATES}`);
  }
  if (p.eventOrder !== undefined) {
    if (p.eventOrder === 'natural' || p.eventOrder === 'reversed') next.eventOrder = p.eventOrder;
    else problems.push('eventOrder: must be natural or reversed');
  }
  if (p.eventRules !== undefined) {
    const ruleProblems = eventRuleProblems(p.eventRules);
    if (ruleProblems.length) problems.push(...ruleProblems.map((x) => `eventRules${x}`));
    else next.eventRules = p.eventRules as EventRule[];
  }
  if (problems.length === 0 && next.rejectRate + next.throttleRate + next.failRate > 1 + 1e-9) {
    problems.push('rejectRate + throttleRate + failRate: the shares must add up to at most 1');
  }
  return problems.length > 0 ? problems : next;
}

/** `HERALD_HOME`, or `<repo root>/.herald`: where local runs keep their state. */
export function heraldHome(env: Env = process.env): string {
  const home = env.HERALD_HOME?.trim();
  return home ? resolve(home) : join(findRepoRoot(), '.herald');
}

/** The nearest ancestor of this file (src/ or dist/) that holds nx.json; the working directory otherwise. */
function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

function parseInteger(s: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(s)) return `must be an integer from ${min} to ${max}`;
  const n = Number(s);
  return n >= min && n <= max ? n : `must be an integer from ${min} to ${max}`;
}

function parseRate(s: string): number | string {
  const n = Number(s);
  return s !== '' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : 'must be a number from 0 to 1';
}

function parseSenders(raw: string): string[] | string {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = list.filter((s) => !E164.test(s));
  if (bad.length > 0) return `${bad.length} value(s) not in E.164 form (+ and 2 to 15 digits), e.g. ${JSON.stringify(bad[0])}`;
  return [...new Set(list)];
}

function isIntegerIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}
