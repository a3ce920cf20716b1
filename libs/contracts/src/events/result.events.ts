import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CHANNELS, Channel } from './common';

/**
 * What became of a message. `accepted`, `rejected`, `skipped`, `failed` and `unknown` are terminal
 * for a campaign's progress; the receipts (`delivered`, `undelivered`, `bounced`, `complained`)
 * and the engagements (`opened`, `clicked`) follow later where the provider reports them, and a
 * message accepted but never reported on becomes `unknown` with reason `delivery.timeout`.
 */
export const RESULT_OUTCOMES = [
  'accepted',
  'rejected',
  'skipped',
  'failed',
  'unknown',
  'delivered',
  'undelivered',
  'bounced',
  'complained',
  'opened',
  'clicked',
] as const;
export type ResultOutcome = (typeof RESULT_OUTCOMES)[number];
/**
 * Outcomes that end a contact's journey through a campaign. `unknown`: the provider may or may not
 * have accepted it (the gateway died mid-call); it is never resent blindly.
 */
export const TERMINAL_OUTCOMES: readonly ResultOutcome[] = ['accepted', 'rejected', 'skipped', 'failed', 'unknown'];

/**
 * The provider's word on what became of a message it accepted, weakest first. A message's receipt
 * only ever moves up this list, whatever order the events come in: a bounce reported after a
 * delivery (an asynchronous bounce) is a bounce, a complaint beats everything (the mail arrived and
 * the recipient objected). Receipts are published once per message and step.
 */
export const RECEIPT_OUTCOMES = ['delivered', 'undelivered', 'bounced', 'complained'] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

/** What a recipient did with a delivered email; each is published at most once per message. */
export const ENGAGEMENT_OUTCOMES = ['opened', 'clicked'] as const;
export type EngagementOutcome = (typeof ENGAGEMENT_OUTCOMES)[number];

/** The rank of a receipt in RECEIPT_OUTCOMES (1 = weakest), 0 for any other outcome. */
export function receiptRank(outcome: string): number {
  return (RECEIPT_OUTCOMES as readonly string[]).indexOf(outcome) + 1;
}

/** The reason of the `unknown` result given to an accepted message that got no receipt in time. */
export const DELIVERY_TIMEOUT_REASON = 'delivery.timeout';

export const SKIP_REASONS = ['dnc', 'suppressed', 'invalid-address', 'render-failed'] as const;

/** Published on the public delivery-result topic: one message's outcome. */
export class DeliveryResultV1 {
  static readonly type = 'io.herald.delivery.result.v1';
  @IsUUID() messageId!: string;
  @IsIn(CHANNELS) channel!: Channel;
  @IsIn(RESULT_OUTCOMES) outcome!: ResultOutcome;
  @IsString() division!: string;
  @IsOptional() @IsUUID() campaignId?: string;
  @IsOptional() @IsUUID() runId?: string;
  @IsOptional() @IsUUID() contactListId?: string;
  @IsOptional() @IsString() contactId?: string;
  /** Machine-readable reason for skipped/rejected/failed: `dnc`, `suppressed`, a provider code, … */
  @IsOptional() @IsString() @MaxLength(200) reason?: string;
  /** Human-readable detail (never contains the address). */
  @IsOptional() @IsString() @MaxLength(1000) detail?: string;
  @IsOptional() @IsUUID() dncListId?: string;
  @IsOptional() @IsString() providerMessageId?: string;
  @IsISO8601() occurredAt!: string;
}

/** What a result needs to know of the message it reports on (any stage's event has these). */
export interface MessageRef {
  messageId: string;
  channel: Channel;
  division: string;
  campaignId?: string;
  runId?: string;
  contactListId?: string;
  contactId?: string;
}

/** A result for a message, its references copied from the event that carried it. */
export function resultFor(
  message: MessageRef,
  outcome: ResultOutcome,
  details: Pick<DeliveryResultV1, 'reason' | 'detail' | 'dncListId' | 'providerMessageId'> = {},
): DeliveryResultV1 {
  return {
    messageId: message.messageId,
    channel: message.channel,
    division: message.division,
    campaignId: message.campaignId,
    runId: message.runId,
    contactListId: message.contactListId,
    contactId: message.contactId,
    outcome,
    ...details,
    occurredAt: new Date().toISOString(),
  };
}
