import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CAMPAIGN_STATUSES, E164 } from '@herald/contracts';

export class EntityRefDto {
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

export class RequiredEntityRefDto {
  @IsUUID() id!: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

export class SmsPhoneNumberRefDto {
  @Matches(E164, { message: 'senderSmsPhoneNumber.phoneNumber must be an E.164 number such as +15555550100' })
  phoneNumber!: string;
  @IsOptional() @IsString() selfUri?: string;
}

/** Genesys `SmsConfig`: a template (`contentTemplate`) or a per-contact `messageColumn`. */
export class SmsConfigDto {
  @IsOptional() @IsString() messageColumn?: string;
  @IsString() @IsNotEmpty() phoneColumn!: string;
  @ValidateNested() @Type(() => SmsPhoneNumberRefDto) senderSmsPhoneNumber!: SmsPhoneNumberRefDto;
  @IsOptional() @ValidateNested() @Type(() => RequiredEntityRefDto) contentTemplate?: RequiredEntityRefDto;
}

/** A reference to a sending domain (Genesys outbound domain): its id is the domain name. */
export class EmailDomainRefDto {
  @IsString() @Length(1, 253) id!: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

/** Genesys `FromEmailAddress`: `localPart@domain.id`, shown as `friendlyName`. */
export class FromEmailAddressDto {
  @ValidateNested() @Type(() => EmailDomainRefDto) domain!: EmailDomainRefDto;
  @IsString() @Length(1, 64) localPart!: string;
  @IsOptional() @IsString() @Length(1, 256) friendlyName?: string;
}

/** Genesys inbound route reference; Herald has no inbound routes and reads `name` as the reply-to local part. */
export class ReplyToRouteRefDto {
  @IsOptional() @IsString() id?: string;
  @IsString() @Length(1, 64) name!: string;
  @IsOptional() @IsString() selfUri?: string;
}

/** Genesys `ReplyToEmailAddress`: `route.name@domain.id`. */
export class ReplyToEmailAddressDto {
  @ValidateNested() @Type(() => EmailDomainRefDto) domain!: EmailDomainRefDto;
  @ValidateNested() @Type(() => ReplyToRouteRefDto) route!: ReplyToRouteRefDto;
}

/** Genesys `EmailConfig`: the address is the first non-empty of `emailColumns`; the content a `CampaignEmailTemplate`. */
export class EmailConfigDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) emailColumns!: string[];
  @ValidateNested() @Type(() => RequiredEntityRefDto) contentTemplate!: RequiredEntityRefDto;
  @ValidateNested() @Type(() => FromEmailAddressDto) fromAddress!: FromEmailAddressDto;
  @IsOptional() @ValidateNested() @Type(() => ReplyToEmailAddressDto) replyToAddress?: ReplyToEmailAddressDto;
}

/** Genesys `ContactSort`: one column of the dispatch order. */
export class ContactSortDto {
  @IsString() @IsNotEmpty() fieldName!: string;
  @IsOptional() @IsIn(['ASC', 'DESC']) direction?: 'ASC' | 'DESC';
  @IsOptional() @IsBoolean() numeric?: boolean;
}

/** Genesys `MessagingCampaign`, the fields Herald honours. */
export class MessagingCampaignDto {
  @IsOptional() @IsString() id?: string;
  @IsString() @Length(1, 256) name!: string;
  @IsOptional() @IsInt() version?: number;
  @IsOptional() @ValidateNested() @Type(() => EntityRefDto) division?: EntityRefDto;
  @IsOptional() @IsIn(CAMPAIGN_STATUSES) campaignStatus?: (typeof CAMPAIGN_STATUSES)[number];
  @ValidateNested() @Type(() => RequiredEntityRefDto) contactList!: RequiredEntityRefDto;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => RequiredEntityRefDto) dncLists?: RequiredEntityRefDto[];
  @IsOptional() @IsBoolean() alwaysRunning?: boolean;
  @IsInt() @Min(1) @Max(1_000_000) messagesPerMinute!: number;
  @IsOptional() @ValidateNested() @Type(() => SmsConfigDto) smsConfig?: SmsConfigDto;
  @IsOptional() @ValidateNested() @Type(() => EmailConfigDto) emailConfig?: EmailConfigDto;
  /** At most 4 (checked by the service, naming the field); the list's columns. */
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ContactSortDto) contactSorts?: ContactSortDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => RequiredEntityRefDto) contactListFilters?: RequiredEntityRefDto[];
  // Read-only fields a client may send back from a GET; ignored.
  @IsOptional() @IsString() dateCreated?: string;
  @IsOptional() @IsString() dateModified?: string;
  @IsOptional() @IsArray() errors?: unknown[];
  @IsOptional() @IsString() selfUri?: string;
}

export class ListQuery {
  @IsOptional() @Type(() => Number) @IsInt() pageSize?: number;
  @IsOptional() @Type(() => Number) @IsInt() pageNumber?: number;
  @IsOptional() @IsString() name?: string;
  /** Genesys: only campaigns of these divisions (repeatable); narrowed to the caller's. */
  @IsOptional() @IsString({ each: true }) divisionId?: string | string[];
}
