// SMS v2 event-destination events for what the simulator accepted, published the way an SNS topic
// delivers them to an HTTP(S) subscriber: a Notification whose Message is the event JSON, signed
// with the key of a self-signed certificate made at start and served at /_sns/certificate.pem.
import { SnsPublisherStats, SnsTopicPublisher } from '@herald/sns';
import type { Logger } from 'pino';

/** The final event a message gets (or `none`: no event at all, a message the carrier never reports on). */
export const SMS_EVENT_OUTCOMES = [
  'TEXT_DELIVERED',
  'TEXT_SUCCESSFUL',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_SPAM',
  'TEXT_PROTECT_BLOCKED',
  'TEXT_TTL_EXPIRED',
  'TEXT_UNKNOWN',
  'none',
] as const;
export type SmsEventOutcome = (typeof SMS_EVENT_OUTCOMES)[number];

/**
 * Which final event a message gets: the first rule whose `destination` (a regular expression on
 * the E.164 destination) matches and, with a `share`, whose deterministic share of destinations
 * (a hash of the number) includes it. No rule matching: TEXT_DELIVERED.
 */
export interface EventRule {
  destination: string;
  share?: number;
  outcome: SmsEventOutcome;
}

export interface EventSettings {
  /** Milliseconds between a message's acceptance and its first event. */
  eventDelayMs: number;
  eventRules: EventRule[];
  /** Each event is posted this many times (SNS delivers at least once). */
  eventDuplicates: number;
  /** `natural`: the intermediate event, then the final one; `reversed`: the final one first. */
  eventOrder: 'natural' | 'reversed';
}

export interface EventTarget {
  /** Where the notifications are posted (the sms-gateway's SNS endpoint, through the edge). */
  url: string;
  topicArn: string;
}

export interface AcceptedForEvents {
  messageId: string;
  destination: string;
  origination: string;
  context: Record<string, string>;
  acceptedAt: string;
}

const STATUS_DESCRIPTIONS: Partial<Record<SmsEventOutcome | 'TEXT_PENDING', string>> = {
  TEXT_PENDING: 'Message is in the process of being delivered',
  TEXT_SUCCESSFUL: 'Message has been accepted by phone carrier',
  TEXT_DELIVERED: 'Message has been accepted by phone',
  TEXT_CARRIER_UNREACHABLE: 'The carrier is unreachable',
  TEXT_TTL_EXPIRED: 'The message could not be delivered within its time to live',
  TEXT_UNKNOWN: 'No final status was received from the carrier',
};

/** FNV-1a of the text, as a number in [0, 1): the same destination always falls in the same share. */
export function shareOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

export function finalOutcomeFor(destination: string, rules: EventRule[]): SmsEventOutcome {
  for (const rule of rules) {
    if (!new RegExp(rule.destination).test(destination)) continue;
    if (rule.share !== undefined && shareOf(destination) >= rule.share) continue;
    return rule.outcome;
  }
  return 'TEXT_DELIVERED';
}

/** Problems of a list of rules (each naming the rule), or none. */
export function eventRuleProblems(rules: unknown): string[] {
  if (!Array.isArray(rules)) return ['must be an array of {destination, share?, outcome}'];
  const problems: string[] = [];
  rules.forEach((r: unknown, i) => {
    const rule = r as Partial<EventRule> | null;
    if (typeof rule !== 'object' || rule === null) return problems.push(`[${i}]: must be an object`);
    try {
      new RegExp(String(rule.destination));
      if (typeof rule.destination !== 'string') throw new Error();
    } catch {
      problems.push(`[${i}].destination: must be a regular expression`);
    }
    if (rule.share !== undefined && !(typeof rule.share === 'number' && rule.share >= 0 && rule.share <= 1)) problems.push(`[${i}].share: must be a number from 0 to 1`);
    if (!(SMS_EVENT_OUTCOMES as readonly unknown[]).includes(rule.outcome)) problems.push(`[${i}].outcome: must be one of ${SMS_EVENT_OUTCOMES.join(', ')}`);
    return undefined;
  });
  return problems;
}

/** The events one accepted message gets, in natural order (AWS End User Messaging SMS v2 event JSON). */
export function smsEventsFor(message: AcceptedForEvents, outcome: SmsEventOutcome, delayMs: number): Record<string, unknown>[] {
  if (outcome === 'none') return [];
  const accepted = Date.parse(message.acceptedAt);
  const event = (eventType: string, isFinal: boolean, at: number) => ({
    eventType,
    eventVersion: '1.0',
    eventTimestamp: at,
    isFinal,
    originationPhoneNumber: message.origination,
    destinationPhoneNumber: message.destination,
    isInternationalSend: false,
    messageId: message.messageId,
    messageRequestTimestamp: accepted,
    messageEncoding: 'GSM',
    messageType: 'TRANSACTIONAL',
    messageStatus: eventType.replace(/^TEXT_/, ''),
    messageStatusDescription: STATUS_DESCRIPTIONS[eventType as SmsEventOutcome] ?? `Message ended as ${eventType}`,
    context: message.context,
    totalMessageParts: 1,
    totalMessagePrice: 0.00581,
    totalCarrierFee: 0.00302,
  });
  const first = accepted + delayMs;
  // A delivery is first accepted by the carrier; a failure is first pending.
  const intermediate = outcome === 'TEXT_DELIVERED' ? 'TEXT_SUCCESSFUL' : 'TEXT_PENDING';
  if (outcome === 'TEXT_SUCCESSFUL') return [event('TEXT_SUCCESSFUL', true, first)];
  return [event(intermediate, false, first), event(outcome, true, first + 1)];
}

/** Publishes the events of accepted messages as signed SNS notifications, after the configured delay. */
export class SmsEventPublisher {
  private readonly topic: SnsTopicPublisher;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    target: EventTarget,
    private readonly settings: () => EventSettings,
    logger: Logger,
  ) {
    this.topic = new SnsTopicPublisher({
      url: target.url,
      topicArn: target.topicArn,
      commonName: 'herald-sms-simulator-sns',
      onFailure: (status, event) => logger.warn({ status, eventType: event['eventType'] }, 'SMS event not accepted by the subscriber'),
    });
  }

  get stats(): SnsPublisherStats {
    return this.topic.stats;
  }

  set certificateUrl(url: string) {
    this.topic.certificateUrl = url;
  }

  certificatePem(): Promise<string> {
    return this.topic.certificatePem();
  }

  schedule(message: AcceptedForEvents): void {
    const { eventDelayMs, eventRules, eventDuplicates, eventOrder } = this.settings();
    const events = smsEventsFor(message, finalOutcomeFor(message.destination, eventRules), eventDelayMs);
    if (events.length === 0) return;
    const ordered = eventOrder === 'reversed' ? [...events].reverse() : events;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.topic.publish(ordered, eventDuplicates);
    }, eventDelayMs);
    this.timers.add(timer);
  }

  /** Resolves when every event scheduled so far has been posted. */
  async drained(): Promise<void> {
    while (this.timers.size > 0) await new Promise((r) => setTimeout(r, 20));
    await this.topic.drained();
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.topic.close();
  }
}
