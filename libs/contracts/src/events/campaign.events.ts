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
import { JSONSchema } from 'class-validator-jsonschema';
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

/** One column of a campaign's dispatch order (Genesys `ContactSort`). */
export class ContactSortV1 {
  @IsString() fieldName!: string;
  @IsIn(['ASC', 'DESC']) direction!: 'ASC' | 'DESC';
  @IsBoolean() numeric!: boolean;
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
  /** Dispatch order after priority contacts, before insertion order (at most 4 columns). */
  // The schema generator cannot see an array's item class through @Type: name it.
  @JSONSchema({ items: { $ref: '#/$defs/ContactSortV1' } })
  @IsOptional() @IsArray() @ArrayMaxSize(4) @ValidateNested({ each: true }) @Type(() => ContactSortV1) contactSorts?: ContactSortV1[];
  /** Contact list filters (owned by contacts): only contacts matching every one join the run's audience. */
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) contactListFilterIds?: string[];
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
  /**
   * True once contacts has stopped dispatching the run (it applied `off` or `stopping`):
   * `dispatchedContacts` is then final until the campaign is turned on again.
   */
  @IsOptional() @IsBoolean() halted?: boolean;
}
