// The simulator seen through the real AWS SDK v3 client, the way sms-gateway talks to it: every
// assertion on an error is about what the SDK makes of the wire response (class, name, $fault,
// modelled members, retry classification), not about the JSON the simulator happens to write.
import {
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  PinpointSMSVoiceV2ServiceException,
  ResourceNotFoundException,
  SendTextMessageCommand,
  type SendTextMessageCommandInput,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import * as retry from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ConfigError, DEFAULT_FAULTS, loadConfig, type SimulatorConfig } from './config';
import { type AcceptedMessage, createSimulator, type Simulator } from './simulator';

// The classifiers the SDK's standard retry strategy applies (THROTTLING / TRANSIENT error types).
// Cast because lib.es2022 types Error.cause as unknown where @smithy/types' SdkError wants Error.
type SdkError = Parameters<typeof retry.isThrottlingError>[0];
const isThrottlingError = (err: Error) => retry.isThrottlingError(err as SdkError);
const isTransientError = (err: Error) => retry.isTransientError(err as SdkError);

const SENDER = '+15550001111';
const OTHER_SENDER = '+15550002222';
const DESTINATION = '+447700900123';
const silent = pino({ level: 'silent' });

let dir: string;
let simulator: Simulator;
let baseUrl: string;
let clients: PinpointSMSVoiceV2Client[];

function configFor(overrides: Partial<SimulatorConfig> = {}): SimulatorConfig {
  return {
    ...DEFAULT_FAULTS,
    port: 0,
    host: '127.0.0.1',
    logPath: join(dir, 'accepted.jsonl'),
    memoryLimit: 1000,
    logLevel: 'silent',
    senders: [SENDER, OTHER_SENDER],
    ...overrides,
  };
}

async function start(overrides: Partial<SimulatorConfig> = {}): Promise<void> {
  simulator = createSimulator(configFor(overrides), { logger: silent });
  const { port } = await simulator.listen();
  baseUrl = `http://127.0.0.1:${port}`;
}

/** A client as the gateway's, without retries by default; `timeoutMs`: it gives up on an answer after that long. */
function client(maxAttempts = 1, timeoutMs?: number): PinpointSMSVoiceV2Client {
  const c = new PinpointSMSVoiceV2Client({
    endpoint: baseUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
    maxAttempts,
    ...(timeoutMs ? { requestHandler: new NodeHttpHandler({ requestTimeout: timeoutMs, throwOnRequestTimeout: true }) } : {}),
  });
  clients.push(c);
  return c;
}

function send(input: Partial<SendTextMessageCommandInput> = {}, c = client()) {
  return c.send(
    new SendTextMessageCommand({
      DestinationPhoneNumber: DESTINATION,
      OriginationIdentity: SENDER,
      MessageBody: 'Your appointment is tomorrow at 10:30.',
      ...input,
    }),
  );
}

/** The SDK error a send fails with (the test fails if the send succeeds). */
async function sendError(input: Partial<SendTextMessageCommandInput> = {}, c = client()): Promise<PinpointSMSVoiceV2ServiceException> {
  try {
    await send(input, c);
  } catch (err) {
    expect(err).toBeInstanceOf(PinpointSMSVoiceV2ServiceException);
    return err as PinpointSMSVoiceV2ServiceException;
  }
  throw new Error('expected the send to fail');
}

function readLog(): AcceptedMessage[] {
  return readFileSync(join(dir, 'accepted.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AcceptedMessage);
}

async function putConfig(patch: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/_simulator/config`, { method: 'PUT', body: JSON.stringify(patch) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sms-simulator-'));
  clients = [];
});

afterEach(async () => {
  for (const c of clients) c.destroy();
  await simulator?.close(100);
  rmSync(dir, { recursive: true, force: true });
});

describe('SendTextMessage through the real SDK client', () => {
  it('accepts a valid message, returns a MessageId and logs it with its Context', async () => {
    await start();
    const out = await send({ Context: { heraldMessageId: 'msg-1', campaignId: 'c-1' } });

    expect(out.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toBeDefined(); // from x-amzn-RequestId
    await simulator.flush();
    expect(readLog()).toEqual([
      {
        messageId: out.MessageId,
        destination: DESTINATION,
        origination: SENDER,
        body: 'Your appointment is tomorrow at 10:30.',
        context: { heraldMessageId: 'msg-1', campaignId: 'c-1' },
        acceptedAt: expect.any(String),
      },
    ]);
    expect(simulator.stats()).toMatchObject({ accepted: 1, rejected: 0, byOrigination: { [SENDER]: 1 } });
  });

  it('rejects a destination that is not E.164 with ValidationException (FIELD_VALIDATION_FAILED)', async () => {
    await start();
    const err = await sendError({ DestinationPhoneNumber: '07700 900123' });

    expect(err).toBeInstanceOf(ValidationException);
    expect(err.name).toBe('ValidationException');
    expect(err.$fault).toBe('client');
    expect(err.$metadata.httpStatusCode).toBe(400);
    const v = err as ValidationException;
    expect(v.Reason).toBe('FIELD_VALIDATION_FAILED');
    expect(v.Fields).toEqual([{ Name: 'DestinationPhoneNumber', Message: expect.any(String) }]);
    expect(err.message).toMatch(/1 validation error detected/);
    expect(isThrottlingError(err)).toBe(false);
    expect(isTransientError(err)).toBe(false);
  });

  it('rejects a missing or blank body and one over 1600 characters; accepts exactly 1600', async () => {
    await start();
    const missing = (await sendError({ MessageBody: undefined })) as ValidationException;
    expect(missing.Fields?.map((f) => f.Name)).toEqual(['MessageBody']);
    const blank = (await sendError({ MessageBody: '  \n ' })) as ValidationException;
    expect(blank.Fields?.map((f) => f.Name)).toEqual(['MessageBody']);
    const long = (await sendError({ MessageBody: 'x'.repeat(1601) })) as ValidationException;
    expect(long).toBeInstanceOf(ValidationException);
    expect(long.Fields?.[0].Message).toMatch(/1600/);

    await expect(send({ MessageBody: 'é'.repeat(1600) })).resolves.toHaveProperty('MessageId');
  });

  it('answers an origination identity the account does not own with ResourceNotFoundException', async () => {
    await start();
    const err = await sendError({ OriginationIdentity: '+15559999999' });

    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect((err as ResourceNotFoundException).ResourceType).toBe('phone-number');
    expect((err as ResourceNotFoundException).ResourceId).toBe('+15559999999');
  });

  it('answers a missing origination identity with ConflictException NO_ORIGINATION_IDENTITIES_FOUND', async () => {
    await start();
    const err = await sendError({ OriginationIdentity: undefined });
    expect(err).toBeInstanceOf(ConflictException);
    expect((err as ConflictException).Reason).toBe('NO_ORIGINATION_IDENTITIES_FOUND');
  });

  it('accepts any E.164 sender when no senders are configured', async () => {
    await start({ senders: [] });
    await expect(send({ OriginationIdentity: '+33612345678' })).resolves.toHaveProperty('MessageId');
    const err = await sendError({ OriginationIdentity: 'HERALD' });
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).ResourceType).toBe('sender-id');
  });

  it('throttleRate 1: ThrottlingException the SDK classifies as throttling and retries', async () => {
    await start({ throttleRate: 1 });
    const err = await sendError();

    expect(err).toBeInstanceOf(ThrottlingException);
    expect(err.name).toBe('ThrottlingException');
    expect(err.$fault).toBe('client');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$retryable).toEqual({ throttling: true });
    expect(isThrottlingError(err)).toBe(true); // what the SDK's retry strategy uses (errorType THROTTLING)

    // With retries enabled the SDK's standard strategy retries it (throttling back-off).
    const retried = await sendError({}, client(2));
    expect(retried).toBeInstanceOf(ThrottlingException);
    expect(retried.$metadata.attempts).toBe(2);
    expect(simulator.stats()).toMatchObject({ accepted: 0, throttled: 3 });
  });

  it('rejectRate 1: a definite rejection (opted-out by default), not retryable, nothing logged', async () => {
    await start({ rejectRate: 1 });
    const err = await sendError({ Context: { heraldMessageId: 'msg-r' } });

    expect(err).toBeInstanceOf(ConflictException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect((err as ConflictException).Reason).toBe('DESTINATION_PHONE_NUMBER_OPTED_OUT');
    expect(err.$retryable).toBeUndefined();
    expect(isThrottlingError(err)).toBe(false);
    expect(isTransientError(err)).toBe(false);

    simulator.configure({ rejectKind: 'country-blocked' });
    const blocked = await sendError();
    expect(blocked).toBeInstanceOf(ValidationException);
    expect((blocked as ValidationException).Reason).toBe('DESTINATION_COUNTRY_BLOCKED');

    await simulator.flush();
    expect(readLog()).toEqual([]);
    expect(simulator.stats()).toMatchObject({
      accepted: 0,
      rejected: 2,
      rejectedByReason: { 'ConflictException/DESTINATION_PHONE_NUMBER_OPTED_OUT': 1, 'ValidationException/DESTINATION_COUNTRY_BLOCKED': 1 },
    });
  });

  it('still validates before an injected rejection: an invalid request gets ValidationException', async () => {
    await start({ rejectRate: 1 });
    const err = (await sendError({ DestinationPhoneNumber: '12' })) as ValidationException;
    expect(err.Reason).toBe('FIELD_VALIDATION_FAILED');
  });

  it('failRate 1: InternalServerException 500, a server fault the SDK treats as transient', async () => {
    await start({ failRate: 1 });
    const err = await sendError();

    expect(err).toBeInstanceOf(InternalServerException);
    expect(err.$fault).toBe('server');
    expect(err.$metadata.httpStatusCode).toBe(500);
    expect((err as InternalServerException).RequestId).toEqual(expect.any(String));
    expect(isTransientError(err)).toBe(true);
    expect(simulator.stats()).toMatchObject({ accepted: 0, failed: 1 });
  });

  it('adds the configured latency', async () => {
    await start({ latencyMs: 80 });
    const t0 = performance.now();
    await send();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
  });

  it('does not process a request whose client hangs up during the latency (abandoned)', async () => {
    await start({ latencyMs: 400 });
    const impatient = client(1, 100);
    await expect(send({}, impatient)).rejects.toMatchObject({ name: 'TimeoutError' });
    await new Promise((r) => setTimeout(r, 500));
    expect(simulator.stats()).toMatchObject({ requests: 1, accepted: 0, abandoned: 1, unanswered: 0 });
    await simulator.flush();
    expect(readFileSync(join(dir, 'accepted.jsonl'), 'utf8')).toBe('');
  });

  it('lateAnswerMs: accepts and logs at once, answers late; a client that gives up sooner has sent it without knowing', async () => {
    await start({ lateAnswerMs: 400 });
    const t0 = performance.now();
    await expect(send({ Context: { heraldMessageId: 'patient' } })).resolves.toHaveProperty('MessageId');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(395);

    const impatient = client(1, 100);
    await expect(send({ Context: { heraldMessageId: 'impatient' } }, impatient)).rejects.toMatchObject({ name: 'TimeoutError' });
    await new Promise((r) => setTimeout(r, 500));
    expect(simulator.stats()).toMatchObject({ requests: 2, accepted: 2, abandoned: 0, unanswered: 1 });
    await simulator.flush();
    expect(readLog().map((m) => m.context['heraldMessageId'])).toEqual(['patient', 'impatient']);
  });

  it('draws faults deterministically from a seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      const c = client();
      const out: string[] = [];
      for (let i = 0; i < 30; i++) {
        try {
          await send({}, c);
          out.push('ok');
        } catch (err) {
          out.push((err as Error).name);
        }
      }
      return out;
    };
    await start({ seed: 42, throttleRate: 0.3, rejectRate: 0.3 });
    const first = await outcomes();
    simulator.configure({ seed: 42 }); // re-seeding restarts the sequence
    const second = await outcomes();
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'ThrottlingException', 'ConflictException']));
  });

  it('answers operations it does not implement with UnknownOperationException', async () => {
    await start();
    const res = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.DescribePhoneNumbers' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await res.json()).toMatchObject({ __type: expect.stringMatching(/#UnknownOperationException$/) });
  });
});

describe('control endpoints', () => {
  it('PUT /_simulator/config changes the faults at run time and refuses bad values by name', async () => {
    await start();
    await expect(send()).resolves.toHaveProperty('MessageId');

    const ok = await putConfig({ throttleRate: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ throttleRate: 1, rejectRate: 0 });
    expect(await sendError()).toBeInstanceOf(ThrottlingException);

    const bad = await putConfig({ rejectRate: 2, lateAnswerMs: -1, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^rejectRate:/), expect.stringMatching(/^lateAnswerMs:/), expect.stringMatching(/^colour:/)]));
    expect(simulator.faults().rejectRate).toBe(0);

    const sum = await putConfig({ rejectRate: 0.5 }); // throttleRate is still 1
    expect(sum.status).toBe(400);

    await putConfig({ throttleRate: 0, senders: [OTHER_SENDER] });
    expect(await sendError()).toBeInstanceOf(ResourceNotFoundException); // SENDER no longer owned
    await expect(send({ OriginationIdentity: OTHER_SENDER })).resolves.toHaveProperty('MessageId');
  });

  it('GET /health, /_simulator/stats, /_simulator/messages and DELETE /_simulator/messages', async () => {
    await start({ memoryLimit: 3 });
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send({ Context: { heraldMessageId: `m${i}` } })).MessageId!);
    await sendError({ OriginationIdentity: '+15559999999' });

    const stats = (await (await fetch(`${baseUrl}/_simulator/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ requests: 6, accepted: 5, rejected: 1, throttled: 0, failed: 0, retained: 3, byOrigination: { [SENDER]: 5 } });

    const page = (await (await fetch(`${baseUrl}/_simulator/messages?offset=1&limit=5`)).json()) as Record<string, unknown>;
    expect(page).toMatchObject({ total: 5, retained: 3, offset: 1 });
    expect((page.messages as AcceptedMessage[]).map((m) => m.messageId)).toEqual(ids.slice(3)); // oldest retained first

    expect((await fetch(`${baseUrl}/_simulator/messages?limit=-1`)).status).toBe(400);

    const reset = await fetch(`${baseUrl}/_simulator/messages`, { method: 'DELETE' });
    expect(reset.status).toBe(200);
    expect(simulator.stats()).toMatchObject({ requests: 0, accepted: 0, rejected: 0, retained: 0, byOrigination: {} });
    await simulator.flush();
    expect(readLog()).toHaveLength(5); // the file is never reset
  });
});

describe('the accepted-messages log', () => {
  it('holds exactly the accepted messages, once each, and is complete after close()', async () => {
    await start({ seed: 7, throttleRate: 0.2, rejectRate: 0.2, failRate: 0.1 });
    const c = client();
    const accepted = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const heraldId = `herald-${i}`;
        const invalid = i % 10 === 0;
        try {
          const out = await send({ Context: { heraldMessageId: heraldId }, DestinationPhoneNumber: invalid ? 'not-a-number' : DESTINATION }, c);
          accepted.set(out.MessageId!, heraldId);
        } catch (err) {
          expect(err).toBeInstanceOf(PinpointSMSVoiceV2ServiceException);
        }
      }),
    );
    const stats = simulator.stats();
    await simulator.close(); // what SIGTERM does: drain, flush, close the file

    const lines = readLog();
    expect(accepted.size).toBeGreaterThan(50);
    expect(lines).toHaveLength(accepted.size);
    expect(stats.accepted).toBe(accepted.size);
    expect(new Map(lines.map((l) => [l.messageId, l.context.heraldMessageId]))).toEqual(accepted);
    expect(new Set(lines.map((l) => l.context.heraldMessageId)).size).toBe(lines.length);
    expect(stats.accepted + stats.rejected + stats.throttled + stats.failed).toBe(200);
  });

  it('appends across restarts instead of truncating', async () => {
    await start();
    await send({ Context: { heraldMessageId: 'first-run' } });
    await simulator.close();
    await start();
    await send({ Context: { heraldMessageId: 'second-run' } });
    await simulator.flush();
    expect(readLog().map((l) => l.context.heraldMessageId)).toEqual(['first-run', 'second-run']);
  });
});

describe('loadConfig', () => {
  it('reads defaults and the documented variables', () => {
    const config = loadConfig({
      SMS_SIMULATOR_PORT: '4600',
      SMS_SIMULATOR_SENDERS: ' +15550001111, +15550002222 ,',
      SMS_SIMULATOR_LATENCY_MS: '25',
      SMS_SIMULATOR_LATE_ANSWER_MS: '3000',
      SMS_SIMULATOR_REJECT_RATE: '0.05',
      SMS_SIMULATOR_THROTTLE_RATE: '0.1',
      SMS_SIMULATOR_FAIL_RATE: '0.01',
      SMS_SIMULATOR_SEED: '123',
      HERALD_HOME: '/var/herald',
    });
    expect(config).toMatchObject({
      port: 4600,
      senders: ['+15550001111', '+15550002222'],
      latencyMs: 25,
      lateAnswerMs: 3000,
      rejectRate: 0.05,
      throttleRate: 0.1,
      failRate: 0.01,
      seed: 123,
      rejectKind: 'opted-out',
      logPath: '/var/herald/sms-simulator/accepted.jsonl',
    });
    expect(loadConfig({})).toMatchObject({ port: 4599, senders: [], latencyMs: 0, rejectRate: 0, seed: null, memoryLimit: 200_000 });
    expect(loadConfig({}).logPath).toMatch(/\.herald\/sms-simulator\/accepted\.jsonl$/);
    expect(loadConfig({ SMS_SIMULATOR_LOG: '/tmp/x.jsonl' }).logPath).toBe('/tmp/x.jsonl');
  });

  it('refuses an invalid value, naming the variable', () => {
    expect(() => loadConfig({ SMS_SIMULATOR_REJECT_RATE: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMS_SIMULATOR_REJECT_RATE: '2' })).toThrow(/SMS_SIMULATOR_REJECT_RATE/);
    expect(() => loadConfig({ SMS_SIMULATOR_PORT: '70000' })).toThrow(/SMS_SIMULATOR_PORT/);
    expect(() => loadConfig({ SMS_SIMULATOR_LATENCY_MS: '-5' })).toThrow(/SMS_SIMULATOR_LATENCY_MS/);
    expect(() => loadConfig({ SMS_SIMULATOR_LATE_ANSWER_MS: '120001' })).toThrow(/SMS_SIMULATOR_LATE_ANSWER_MS/);
    expect(() => loadConfig({ SMS_SIMULATOR_SENDERS: '+15550001111,5550002222' })).toThrow(/SMS_SIMULATOR_SENDERS/);
    expect(() => loadConfig({ SMS_SIMULATOR_THROTTLE_RATE: '0.6', SMS_SIMULATOR_REJECT_RATE: '0.6' })).toThrow(/at most 1/);
    expect(() => loadConfig({ SMS_SIMULATOR_REJECT_KIND: 'nope' })).toThrow(/SMS_SIMULATOR_REJECT_KIND/);
  });
});
