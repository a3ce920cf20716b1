import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CHANNELS, Channel } from './common';

/** Why an address is in the global suppression. */
export const SUPPRESSION_REASONS = ['opt-out', 'bounce', 'complaint', 'unsubscribe', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * An address that must go into the global suppression, with its provenance: a gateway publishes
 * one for a hard bounce or a complaint its provider reported; dnc adds it (an address already
 * suppressed keeps its first entry). Keyed by `<channel>:<address>`.
 */
export class SuppressionRequestedV1 {
  static readonly type = 'io.herald.suppression.requested.v1';
  @IsIn(CHANNELS) channel!: Channel;
  /** E.164 for SMS, the email address as the provider reported it (dnc normalises it). */
  @IsString() @MaxLength(320) address!: string;
  @IsIn(SUPPRESSION_REASONS) reason!: SuppressionReason;
  /** Where it came from, e.g. `ses:bounce:Permanent/General`, `ses:complaint:abuse`. */
  @IsString() @MaxLength(256) source!: string;
  @IsString() division!: string;
  /** The message whose event caused it, and its campaign. */
  @IsOptional() @IsUUID() messageId?: string;
  @IsOptional() @IsUUID() campaignId?: string;
  /** When the provider saw it (the bounce or complaint time). */
  @IsISO8601() occurredAt!: string;
}
