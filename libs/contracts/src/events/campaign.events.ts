import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CHANNELS, Channel } from './common';

export const CAMPAIGN_STATUSES = ['on', 'stopping', 'off', 'complete', 'invalid'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** How an SMS campaign addresses and words its messages (Genesys `SmsConfig`). */
export class SmsDispatchConfig {
  @IsString() phoneColumn!: string;
  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'senderSmsPhoneNumber must be E.164' })
  senderSmsPhoneNumber!: string;
  @IsOptional() @IsUUID() contentTemplateId?: string;
  @IsOptional() @IsString() messageColumn?: string;
}

/** How an email campaign addresses and words its messages (Genesys `EmailConfig`). */
export class EmailDispatchConfig {
  /** The contact's address is the first non-empty of these columns. */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) emailColumns!: string[];
  @IsUUID() contentTemplateId!: string;
  /** The from address, `localPart@domain`. */
  @IsString() @MaxLength(320) fromAddress!: string;
  @IsOptional() @IsString() @MaxLength(256) fromName?: string;
  @IsOptional() @IsString() @MaxLength(320) replyTo?: string;
}

/**
 * Published by campaigns whenever a campaign's status changes. `runId` changes when a campaign
 * is recycled (DELETE …/progress), so everything keyed by (campaignId, runId) starts afresh.
 */
export class CampaignStatusChangedV1 {
  static readonly type = 'io.herald.campaign.status-changed.v1';
  @IsUUID() campaignId!: string;
  @IsUUID() runId!: string;
  @IsString() division!: string;
  @IsIn(CAMPAIGN_STATUSES) status!: CampaignStatus;
  @IsIn(CHANNELS) channel!: Channel;
  @IsUUID() contactListId!: string;
  @IsInt() @Min(1) @Max(1_000_000) messagesPerMinute!: number;
  @IsBoolean() alwaysRunning!: boolean;
  @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) dncListIds!: string[];
  @IsOptional() @ValidateNested() @Type(() => SmsDispatchConfig) sms?: SmsDispatchConfig;
  @IsOptional() @ValidateNested() @Type(() => EmailDispatchConfig) email?: EmailDispatchConfig;
}

/**
 * Published by contacts: how many contacts a campaign run addresses and how many have been
 * dispatched so far. `exhausted` is true once every contact of the run has been dispatched.
 */
export class CampaignAudienceV1 {
  static readonly type = 'io.herald.campaign.audience.v1';
  @IsUUID() campaignId!: string;
  @IsUUID() runId!: string;
  @IsInt() @Min(0) totalContacts!: number;
  @IsInt() @Min(0) dispatchedContacts!: number;
  @IsBoolean() exhausted!: boolean;
}
