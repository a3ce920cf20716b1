// The SMS aggregator simulator: AWS End User Messaging SMS (PinpointSMSVoiceV2) SendTextMessage
// over the AWS JSON 1.0 protocol, on plain node:http because it sits on the benchmark's hot path.
//
// Wire protocol, as @aws-sdk/client-pinpoint-sms-voice-v2 speaks it (AwsJson1_0Protocol):
//   request   POST /  content-type: application/x-amz-json-1.0
//                     x-amz-target: PinpointSMSVoiceV2.SendTextMessage     (SigV4 is not checked)
//   success   200 {"MessageId":"<uuid>"}
//   error     4xx/5xx {"__type":"com.amazonaws.pinpointsmsvoicev2#<Name>","message":"…","Message":"…", …members}
// The SDK takes the error name from `__type` (the part after '#'), builds the modelled exception
// class from its registry and copies the modelled members (Message, Reason, Fields, ResourceType,
// ResourceId, RequestId) from the body; its `message` comes from `message` or `Message`.
// The service's model gives no @httpError codes, so client errors are 400 and server errors 500
// (AWS JSON default), ThrottlingException included: the SDK classifies it as throttling by name
// and by its `@retryable(throttling: true)` trait, not by the status code.
//
// Order of a SendTextMessage: body parsed (SerializationException) → fixed latency → one draw u
// in [0,1): u < throttleRate → ThrottlingException; u < throttle+fail → InternalServerException
// (nothing recorded) → request validated (ValidationException, ConflictException for no
// origination identity, ResourceNotFoundException for an unknown sender) → u < throttle+fail+reject
// → injected definite rejection (rejectKind) → accepted: appended to the JSONL log and memory, 200
// (after lateAnswerMs, if set: dropped if the client hung up meanwhile, counted as unanswered).
// The rates are therefore exact shares of all requests (valid or not, for throttle/fail).
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { E164, type FaultSettings, type RejectKind, type SimulatorConfig, validateFaults } from './config';
import type { SnsPublisherStats } from '@herald/sns';
import { SmsEventPublisher } from './events';

export interface AcceptedMessage {
  messageId: string;
  destination: string;
  origination: string;
  body: string;
  /** The request's Context map (Herald puts its own message id there). */
  context: Record<string, string>;
  acceptedAt: string;
}

export interface SimulatorStats {
  /** SendTextMessage-shaped requests received (POST /), whatever their outcome. */
  requests: number;
  accepted: number;
  /** Definite rejections: validation, unknown sender, injected rejections, malformed requests. */
  rejected: number;
  throttled: number;
  failed: number;
  /** DryRun requests: validated and answered, not recorded as accepted. */
  dryRuns: number;
  /** Requests whose client went away during the injected latency: never processed. */
  abandoned: number;
  /** Accepted messages whose client went away before their late answer (lateAnswerMs): sent, but the client cannot know. */
  unanswered: number;
  /** Accepted messages per origination identity. */
  byOrigination: Record<string, number>;
  /** Rejections per `<exception>` or `<exception>/<Reason>`. */
  rejectedByReason: Record<string, number>;
  /** Accepted messages currently held in memory (at most memoryLimit). */
  retained: number;
  /** Lines that could not be written to the JSONL log (should stay 0). */
  logWriteErrors: number;
  startedAt: string;
  /** The delivery events' notifications, when events are on. */
  events?: SnsPublisherStats;
}

export interface MessagePage {
  total: number;
  retained: number;
  offset: number;
  limit: number;
  messages: AcceptedMessage[];
}

export interface Simulator {
  readonly server: Server;
  /** Starts listening (port 0 = ephemeral); resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), flushes and closes the log. */
  close(graceMs?: number): Promise<void>;
  stats(): SimulatorStats;
  faults(): FaultSettings;
  /** Applies a runtime change; throws SimulatorConfigError naming the bad fields. */
  configure(patch: unknown): FaultSettings;
  messages(offset?: number, limit?: number): MessagePage;
  /** Resets counters and the in-memory messages (not the JSONL file). */
  reset(): void;
  /** Resolves once every accepted message so far is written to the JSONL file. */
  flush(): Promise<void>;
}

export class SimulatorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'SimulatorConfigError';
  }
}

const NAMESPACE = 'com.amazonaws.pinpointsmsvoicev2#';
const CORAL = 'com.amazon.coral.service#';
const TARGET_PREFIX = 'PinpointSMSVoiceV2.';
const SEND_TEXT_MESSAGE = 'PinpointSMSVoiceV2.SendTextMessage';
const JSON_1_0 = 'application/x-amz-json-1.0';
const MAX_BODY_BYTES = 256 * 1024;
const MAX_MESSAGE_BODY = 1600;
/** TextMessageOriginationIdentity in the service model. */
const ORIGINATION_PATTERN = /^[A-Za-z0-9_:/+-]{1,256}$/;
const MESSAGE_TYPES = new Set(['TRANSACTIONAL', 'PROMOTIONAL']);
const MAX_PAGE = 10_000;

interface AwsError {
  status: number;
  type: string;
  message: string;
  /** Modelled members of the exception (Reason, Fields, ResourceType, ResourceId, RequestId). */
  members?: Record<string, unknown>;
  /** Key under which the rejection is counted. */
  reasonKey: string;
}

const REJECTIONS: Record<RejectKind, () => AwsError> = {
  'opted-out': () => ({
    status: 400,
    type: `${NAMESPACE}ConflictException`,
    message: 'The destination phone number has opted out of receiving messages.',
    members: { Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opted-out-number' },
    reasonKey: 'ConflictException/DESTINATION_PHONE_NUMBER_OPTED_OUT',
  }),
  'country-blocked': () => ({
    status: 400,
    type: `${NAMESPACE}ValidationException`,
    message: 'Sending to the destination country is blocked.',
    members: { Reason: 'DESTINATION_COUNTRY_BLOCKED', Fields: [{ Name: 'DestinationPhoneNumber', Message: 'Destination country is blocked.' }] },
    reasonKey: 'ValidationException/DESTINATION_COUNTRY_BLOCKED',
  }),
  'protect-blocked': () => ({
    status: 400,
    type: `${NAMESPACE}ConflictException`,
    message: 'The destination phone number is blocked by a protect configuration.',
    members: { Reason: 'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE', ResourceType: 'protect-configuration' },
    reasonKey: 'ConflictException/DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
  }),
};

export function createSimulator(config: SimulatorConfig, options: { logger?: Logger } = {}): Simulator {
  const logger = options.logger ?? pino({ name: 'sms-simulator', level: config.logLevel });
  const debug = logger.isLevelEnabled('debug');
  let faults: FaultSettings = {
    latencyMs: config.latencyMs,
    lateAnswerMs: config.lateAnswerMs,
    rejectRate: config.rejectRate,
    throttleRate: config.throttleRate,
    failRate: config.failRate,
    rejectKind: config.rejectKind,
    seed: config.seed,
    senders: [...config.senders],
    eventDelayMs: config.eventDelayMs,
    eventRules: [...config.eventRules],
    eventDuplicates: config.eventDuplicates,
    eventOrder: config.eventOrder,
  };
  // Delivery events (SMS v2 event destination → SNS → the gateway), when a subscriber is configured.
  const events = config.events ? new SmsEventPublisher(config.events, () => faults, logger) : undefined;
  let senderSet = new Set(faults.senders);
  let draw = makeRng(faults.seed);

  const log = new JsonlLog(config.logPath, logger);
  // Kept as the serialised JSONL line: one flat string per message is smaller than the object
  // graph and holds no pointers for the garbage collector to trace; GET /_simulator/messages
  // parses the requested page on read.
  const memory = new Ring<string>(config.memoryLimit);
  let counters = newCounters();
  let draining = false;
  let closing: Promise<void> | undefined;

  // ---- HTTP plumbing -------------------------------------------------------------------------

  const server = createServer(handle);
  // Longer than any client's idle timeout, so the server never closes a keep-alive socket the
  // client is about to reuse (which would surface as ECONNRESET in the SDK).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (req.method === 'POST' && (url === '/' || url.startsWith('/?'))) {
      readBody(req, res, onApiRequest);
      return;
    }
    if (url === '/health' || url.startsWith('/health?')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
      return sendJson(res, log.healthy ? 200 : 503, { status: log.healthy ? 'ok' : 'log-unwritable' });
    }
    if (req.method === 'GET' && url === '/_sns/certificate.pem' && events) {
      events.certificatePem().then(
        (pem) => {
          res.writeHead(200, ['Content-Type', 'application/x-pem-file', 'Content-Length', String(Buffer.byteLength(pem))]);
          res.end(pem);
        },
        (err: unknown) => {
          logger.error({ err }, 'no SNS signing certificate');
          sendJson(res, 500, { error: 'no certificate' });
        },
      );
      return;
    }
    if (url.startsWith('/_simulator/')) {
      admin(req, res, url).catch((err: unknown) => {
        logger.error({ err }, 'admin request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  }

  function readBody(req: IncomingMessage, res: ServerResponse, done: (req: IncomingMessage, res: ServerResponse, body: string) => void): void {
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return;
      if (first === undefined) first = chunk;
      else (rest ??= [first]).push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        counters.requests++;
        return sendError(res, reject({ status: 413, type: `${CORAL}SerializationException`, message: 'Request body too large.', reasonKey: 'RequestTooLarge' }));
      }
      const body = rest ? Buffer.concat(rest).toString('utf8') : first ? first.toString('utf8') : '';
      done(req, res, body);
    });
  }

  function send(res: ServerResponse, status: number, body: string): void {
    const headers = [
      'Content-Type',
      JSON_1_0,
      'Content-Length',
      String(Buffer.byteLength(body)),
      'x-amzn-RequestId',
      randomUUID(),
    ];
    if (draining) headers.push('Connection', 'close');
    res.writeHead(status, headers);
    res.end(body);
  }

  function sendError(res: ServerResponse, e: AwsError): void {
    // Both spellings of the message: the SDK reads `message ?? Message`; other clients differ.
    const payload: Record<string, unknown> = { __type: e.type, message: e.message, Message: e.message, ...e.members };
    send(res, e.status, JSON.stringify(payload));
  }

  function sendJson(res: ServerResponse, status: number, value: unknown): void {
    const body = value === undefined ? '' : JSON.stringify(value);
    const headers = ['Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(body))];
    if (draining) headers.push('Connection', 'close');
    res.writeHead(status, headers);
    res.end(body);
  }

  // ---- SendTextMessage -----------------------------------------------------------------------

  function onApiRequest(req: IncomingMessage, res: ServerResponse, raw: string): void {
    counters.requests++;
    const target = req.headers['x-amz-target'];
    if (target !== SEND_TEXT_MESSAGE) {
      const known = typeof target === 'string' && target.startsWith(TARGET_PREFIX);
      return sendError(
        res,
        reject({
          status: 400,
          type: `${CORAL}UnknownOperationException`,
          message: known ? `The simulator implements only SendTextMessage, not ${target.slice(TARGET_PREFIX.length)}.` : 'Missing or unknown X-Amz-Target.',
          reasonKey: 'UnknownOperationException',
        }),
      );
    }
    let input: unknown;
    try {
      input = raw === '' ? {} : JSON.parse(raw);
    } catch {
      input = undefined;
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return sendError(res, reject({ status: 400, type: `${CORAL}SerializationException`, message: 'Request body is not a JSON object.', reasonKey: 'SerializationException' }));
    }
    if (faults.latencyMs > 0) {
      setTimeout(afterLatency, faults.latencyMs, req, res, input as Record<string, unknown>);
    } else {
      processSend(res, input as Record<string, unknown>);
    }
  }

  function afterLatency(req: IncomingMessage, res: ServerResponse, input: Record<string, unknown>): void {
    if (res.destroyed || req.socket.destroyed || log.closed) {
      counters.abandoned++;
      return;
    }
    processSend(res, input);
  }

  function processSend(res: ServerResponse, input: Record<string, unknown>): void {
    const u = draw();
    const { throttleRate, failRate, rejectRate } = faults;
    if (u < throttleRate) {
      counters.throttled++;
      if (debug) logger.debug({ outcome: 'throttled' }, 'SendTextMessage');
      return sendError(res, { status: 400, type: `${NAMESPACE}ThrottlingException`, message: 'Rate exceeded', reasonKey: 'ThrottlingException' });
    }
    if (u < throttleRate + failRate) {
      counters.failed++;
      const requestId = randomUUID();
      if (debug) logger.debug({ outcome: 'failed', requestId }, 'SendTextMessage');
      return sendError(res, {
        status: 500,
        type: `${NAMESPACE}InternalServerException`,
        message: 'An internal error occurred (injected by the simulator).',
        members: { RequestId: requestId },
        reasonKey: 'InternalServerException',
      });
    }

    const invalid = validate(input);
    if (invalid) {
      if (debug) logger.debug({ outcome: 'rejected', reason: invalid.reasonKey }, 'SendTextMessage');
      return sendError(res, reject(invalid));
    }
    const destination = input.DestinationPhoneNumber as string;
    const origination = input.OriginationIdentity as string;
    const body = input.MessageBody as string;

    if (u < throttleRate + failRate + rejectRate) {
      const rejection = REJECTIONS[faults.rejectKind]();
      if (debug) logger.debug({ outcome: 'rejected', reason: rejection.reasonKey }, 'SendTextMessage');
      return sendError(res, reject(rejection));
    }

    const messageId = randomUUID();
    if (input.DryRun === true) {
      counters.dryRuns++;
      send(res, 200, `{"MessageId":"${messageId}"}`);
      return;
    }
    const context = (input.Context as Record<string, string> | undefined) ?? {};
    const record: AcceptedMessage = { messageId, destination, origination, body, context, acceptedAt: new Date().toISOString() };
    const line = JSON.stringify(record);
    log.append(line + '\n');
    memory.push(line);
    events?.schedule(record);
    counters.accepted++;
    counters.byOrigination.set(origination, (counters.byOrigination.get(origination) ?? 0) + 1);
    if (debug) logger.debug({ outcome: 'accepted', messageId }, 'SendTextMessage');
    if (faults.lateAnswerMs > 0) setTimeout(answerLate, faults.lateAnswerMs, res, `{"MessageId":"${messageId}"}`);
    else send(res, 200, `{"MessageId":"${messageId}"}`);
  }

  function answerLate(res: ServerResponse, body: string): void {
    if (res.destroyed || !res.socket || res.socket.destroyed) {
      counters.unanswered++;
      return;
    }
    send(res, 200, body);
  }

  /** Model constraints first (ValidationException), then the sender (Conflict/ResourceNotFound). */
  function validate(input: Record<string, unknown>): AwsError | undefined {
    const fields: { Name: string; Message: string }[] = [];
    const { DestinationPhoneNumber: destination, OriginationIdentity: origination, MessageBody: body } = input;

    if (destination === undefined || destination === null) fields.push({ Name: 'DestinationPhoneNumber', Message: 'Member must not be null.' });
    else if (typeof destination !== 'string' || !E164.test(destination)) {
      fields.push({ Name: 'DestinationPhoneNumber', Message: 'Member must be a phone number in E.164 format.' });
    }
    if (origination !== undefined && origination !== null && (typeof origination !== 'string' || !ORIGINATION_PATTERN.test(origination))) {
      fields.push({ Name: 'OriginationIdentity', Message: 'Member must satisfy regular expression pattern: ^[A-Za-z0-9_:/\\+-]+$ and have length from 1 to 256.' });
    }
    if (body === undefined || body === null) fields.push({ Name: 'MessageBody', Message: 'Member must not be null.' });
    else if (typeof body !== 'string' || body.trim() === '') fields.push({ Name: 'MessageBody', Message: 'Member must be a non-blank string.' });
    else if (body.length > MAX_MESSAGE_BODY) {
      fields.push({ Name: 'MessageBody', Message: `Member must have length less than or equal to ${MAX_MESSAGE_BODY}.` });
    }
    if (input.MessageType !== undefined && !MESSAGE_TYPES.has(input.MessageType as string)) {
      fields.push({ Name: 'MessageType', Message: 'Member must satisfy enum value set: [TRANSACTIONAL, PROMOTIONAL].' });
    }
    const ttl = input.TimeToLive;
    if (ttl !== undefined && !(typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= 5 && ttl <= 259_200)) {
      fields.push({ Name: 'TimeToLive', Message: 'Member must be an integer from 5 to 259200.' });
    }
    const context = input.Context;
    if (context !== undefined && !isStringMap(context)) fields.push({ Name: 'Context', Message: 'Member must be a map of strings.' });
    if (input.DryRun !== undefined && typeof input.DryRun !== 'boolean') fields.push({ Name: 'DryRun', Message: 'Member must be a boolean.' });

    if (fields.length > 0) {
      return {
        status: 400,
        type: `${NAMESPACE}ValidationException`,
        message: `${fields.length} validation error${fields.length === 1 ? '' : 's'} detected: ${fields.map((f) => `${f.Name}: ${f.Message}`).join('; ')}`,
        members: { Reason: 'FIELD_VALIDATION_FAILED', Fields: fields },
        reasonKey: 'ValidationException/FIELD_VALIDATION_FAILED',
      };
    }
    if (origination === undefined || origination === null) {
      return {
        status: 400,
        type: `${NAMESPACE}ConflictException`,
        message: 'No origination identity was given and none is available for the destination.',
        members: { Reason: 'NO_ORIGINATION_IDENTITIES_FOUND' },
        reasonKey: 'ConflictException/NO_ORIGINATION_IDENTITIES_FOUND',
      };
    }
    const id = origination as string;
    const known = senderSet.size > 0 ? senderSet.has(id) : E164.test(id);
    if (!known) {
      const resourceType = id.startsWith('pool-') || id.includes(':pool/') ? 'pool' : E164.test(id) || id.startsWith('phone-') || id.includes(':phone-number/') ? 'phone-number' : 'sender-id';
      return {
        status: 400,
        type: `${NAMESPACE}ResourceNotFoundException`,
        message: `The origination identity does not exist in this account (${resourceType}).`,
        members: { ResourceType: resourceType, ResourceId: id },
        reasonKey: 'ResourceNotFoundException',
      };
    }
    return undefined;
  }

  function reject(e: AwsError): AwsError {
    counters.rejected++;
    counters.rejectedByReason.set(e.reasonKey, (counters.rejectedByReason.get(e.reasonKey) ?? 0) + 1);
    return e;
  }

  // ---- /_simulator/* -------------------------------------------------------------------------

  async function admin(req: IncomingMessage, res: ServerResponse, rawUrl: string): Promise<void> {
    const url = new URL(rawUrl, 'http://simulator');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /_simulator/stats':
        return sendJson(res, 200, api.stats());
      case 'GET /_simulator/config':
        return sendJson(res, 200, describeConfig());
      case 'PUT /_simulator/config': {
        const raw = await readAll(req);
        let patch: unknown;
        try {
          patch = JSON.parse(raw);
        } catch {
          return sendJson(res, 400, { error: 'invalid configuration', problems: ['body: not valid JSON'] });
        }
        try {
          api.configure(patch);
        } catch (err) {
          if (err instanceof SimulatorConfigError) return sendJson(res, 400, { error: 'invalid configuration', problems: err.problems });
          throw err;
        }
        return sendJson(res, 200, describeConfig());
      }
      case 'GET /_simulator/messages': {
        const offset = queryInt(url, 'offset', 0);
        const limit = queryInt(url, 'limit', 100);
        if (offset === undefined || limit === undefined) {
          return sendJson(res, 400, { error: 'offset and limit must be non-negative integers' });
        }
        return sendJson(res, 200, api.messages(offset, limit));
      }
      case 'DELETE /_simulator/messages':
        api.reset();
        return sendJson(res, 200, api.stats());
      case 'POST /_simulator/events/drain':
        await events?.drained();
        return sendJson(res, 200, api.stats());
      case 'POST /_simulator/flush':
        await api.flush();
        return sendJson(res, 200, { flushed: true, logPath: config.logPath });
      default:
        return sendJson(res, 404, { error: `no route ${route}` });
    }
  }

  function describeConfig(): Record<string, unknown> {
    return { ...faults, port: config.port, logPath: config.logPath, memoryLimit: config.memoryLimit };
  }

  // ---- public face ---------------------------------------------------------------------------

  const api: Simulator = {
    server,
    listen(port = config.port, host = config.host) {
      return new Promise<AddressInfo>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          // The SigningCertURL of its notifications: this process, on the loopback unless it listens on one address only.
          const certHost = host && host !== '0.0.0.0' && host !== '::' ? (host.includes(':') ? `[${host}]` : host) : '127.0.0.1';
          if (events) events.certificateUrl = `${config.publicUrl ?? `http://${certHost}:${address.port}`}/_sns/certificate.pem`;
          logger.info(
            {
              port: address.port,
              host: address.address,
              senders: faults.senders.length,
              latencyMs: faults.latencyMs,
              lateAnswerMs: faults.lateAnswerMs,
              rejectRate: faults.rejectRate,
              throttleRate: faults.throttleRate,
              failRate: faults.failRate,
              rejectKind: faults.rejectKind,
              seeded: faults.seed !== null,
              logPath: config.logPath,
            },
            'sms-simulator listening',
          );
          resolve(address);
        });
      });
    },
    close(graceMs = 5_000) {
      closing ??= (async () => {
        draining = true;
        events?.close();
        if (server.listening) {
          await new Promise<void>((resolve) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              resolve();
            });
            server.closeIdleConnections();
          });
        }
        await log.close();
        logger.info({ accepted: counters.accepted, rejected: counters.rejected, throttled: counters.throttled, failed: counters.failed }, 'sms-simulator stopped');
      })();
      return closing;
    },
    stats() {
      return {
        requests: counters.requests,
        accepted: counters.accepted,
        rejected: counters.rejected,
        throttled: counters.throttled,
        failed: counters.failed,
        dryRuns: counters.dryRuns,
        abandoned: counters.abandoned,
        unanswered: counters.unanswered,
        byOrigination: Object.fromEntries(counters.byOrigination),
        rejectedByReason: Object.fromEntries(counters.rejectedByReason),
        retained: memory.size,
        logWriteErrors: log.writeErrors,
        startedAt: counters.startedAt,
        ...(events ? { events: { ...events.stats } } : {}),
      };
    },
    faults() {
      return { ...faults, senders: [...faults.senders] };
    },
    configure(patch) {
      const next = validateFaults(faults, patch);
      if (Array.isArray(next)) throw new SimulatorConfigError(next);
      const reseed = next.seed !== faults.seed || (patch as Record<string, unknown>).seed !== undefined;
      faults = next;
      senderSet = new Set(next.senders);
      if (reseed) draw = makeRng(next.seed);
      logger.info(
        {
          latencyMs: next.latencyMs,
          lateAnswerMs: next.lateAnswerMs,
          rejectRate: next.rejectRate,
          throttleRate: next.throttleRate,
          failRate: next.failRate,
          rejectKind: next.rejectKind,
          seeded: next.seed !== null,
          senders: next.senders.length,
        },
        'sms-simulator configuration changed',
      );
      return api.faults();
    },
    messages(offset = 0, limit = 100) {
      const capped = Math.min(Math.max(0, limit), MAX_PAGE);
      return { total: counters.accepted, retained: memory.size, offset, limit: capped, messages: memory.slice(offset, capped).map((line) => JSON.parse(line) as AcceptedMessage) };
    },
    reset() {
      counters = newCounters();
      memory.clear();
      logger.info('sms-simulator counters and in-memory messages reset');
    },
    flush() {
      return log.flush();
    },
  };
  return api;
}

// ---- helpers -------------------------------------------------------------------------------

interface Counters {
  requests: number;
  accepted: number;
  rejected: number;
  throttled: number;
  failed: number;
  dryRuns: number;
  abandoned: number;
  unanswered: number;
  byOrigination: Map<string, number>;
  rejectedByReason: Map<string, number>;
  startedAt: string;
}

function newCounters(): Counters {
  return {
    requests: 0,
    accepted: 0,
    rejected: 0,
    throttled: 0,
    failed: 0,
    dryRuns: 0,
    abandoned: 0,
    unanswered: 0,
    byOrigination: new Map(),
    rejectedByReason: new Map(),
    startedAt: new Date().toISOString(),
  };
}

function isStringMap(v: unknown): v is Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const key in v) if (typeof (v as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

function queryInt(url: URL, name: string, fallback: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** mulberry32 when seeded (deterministic fault draws), Math.random otherwise. */
function makeRng(seed: number | null): () => number {
  if (seed === null) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fixed-capacity ring of the most recent items; capacity 0 keeps nothing. */
class Ring<T> {
  private items: T[] = [];
  private start = 0;
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.capacity === 0) return;
    if (this.items.length < this.capacity) {
      this.items.push(item);
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Items from the oldest retained one, skipping `offset`, at most `limit`. */
  slice(offset: number, limit: number): T[] {
    const out: T[] = [];
    const n = this.items.length;
    for (let i = offset; i < n && out.length < limit; i++) out.push(this.items[(this.start + i) % n]);
    return out;
  }

  clear(): void {
    this.items = [];
    this.start = 0;
  }
}

/** A pending batch of accepted lines is written after this long at the latest… */
const FLUSH_INTERVAL_MS = 10;
/** …or as soon as it reaches this many characters. */
const FLUSH_BYTES = 256 * 1024;

/**
 * Append-only JSONL file. Accepted lines are batched and written with one asynchronous write()
 * every FLUSH_INTERVAL_MS (or FLUSH_BYTES), so 20k messages/s cost about a hundred writes/s, not
 * twenty thousand, and nothing is written synchronously on the request path. flush() and close()
 * write the pending batch at once; close() ends the stream (SIGTERM path).
 */
class JsonlLog {
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stream: WriteStream;
  private lastWrite: Promise<void> = Promise.resolve();
  private ended = false;
  writeErrors = 0;
  healthy = true;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a', highWaterMark: 1 << 20 });
    this.stream.on('error', (err) => {
      this.healthy = false;
      this.logger.error({ err, logPath: path }, 'cannot write the accepted-messages log');
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  append(line: string): void {
    if (this.ended) {
      this.writeErrors++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) {
      this.writePending();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.writePending, FLUSH_INTERVAL_MS);
    }
  }

  private readonly writePending = (): void => {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pendingBytes = 0;
    if (this.pending.length === 0 || !this.healthy) {
      this.writeErrors += this.healthy ? 0 : this.pending.length;
      this.pending = [];
      return;
    }
    const chunk = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    const lines = this.pending.length;
    this.pending = [];
    this.lastWrite = new Promise<void>((resolve) => {
      this.stream.write(chunk, (err) => {
        if (err) this.writeErrors += lines;
        resolve();
      });
    });
  };

  flush(): Promise<void> {
    this.writePending();
    return this.lastWrite;
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.writePending();
    this.ended = true;
    await this.lastWrite;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}
