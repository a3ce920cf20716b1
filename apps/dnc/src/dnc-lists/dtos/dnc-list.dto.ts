import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';

export const MAX_ENTRIES_PER_REQUEST = 1_000;
export const CONTACT_METHODS = ['Phone', 'Email', 'Any'] as const;

export class DomainEntityRefDto {
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

/**
 * Genesys `DncList` / `DncListCreate`, the fields Herald honours. `dncSourceType` is checked by the
 * service (only `rds`, with a message naming what was sent); fields that only external DNC sources
 * use (`loginId`, `campaignId`, `dncCodes`, `licenseId`, `customExclusionColumn`) and read-only ones
 * are accepted and ignored so that a GET body can be PUT back.
 */
export class DncListDto {
  @IsOptional() @IsString() id?: string;
  @IsString() @Length(1, 256) name!: string;
  @IsOptional() @IsInt() version?: number;
  @IsString() dncSourceType!: string;
  @IsOptional() @IsIn(CONTACT_METHODS, { message: `contactMethod must be one of ${CONTACT_METHODS.join(', ')}` }) contactMethod?: (typeof CONTACT_METHODS)[number];
  @IsOptional() @ValidateNested() @Type(() => DomainEntityRefDto) division?: DomainEntityRefDto;
  /** Herald extension: region used to read phone numbers written without a country code (default US). */
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'defaultPhoneRegion must be an ISO 3166 alpha-2 code such as US' }) defaultPhoneRegion?: string;
  @IsOptional() @IsString() loginId?: string;
  @IsOptional() @IsString() campaignId?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) dncCodes?: string[];
  @IsOptional() @IsString() licenseId?: string;
  @IsOptional() @IsString() customExclusionColumn?: string;
  @IsOptional() @IsString() dateCreated?: string;
  @IsOptional() @IsString() dateModified?: string;
  @IsOptional() @IsInt() size?: number;
  @IsOptional() @IsObject() importStatus?: unknown;
  @IsOptional() @IsString() selfUri?: string;
}

const BOOL = ['true', 'false'];

export class DncListQuery {
  @IsOptional() @Type(() => Number) @IsInt() pageSize?: number;
  @IsOptional() @Type(() => Number) @IsInt() pageNumber?: number;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsIn(['Prefix', 'Contains']) filterType?: 'Prefix' | 'Contains';
  @IsOptional() @IsString() dncSourceType?: string;
  @IsOptional() @IsIn(BOOL) includeSize?: string;
  @IsOptional() @IsIn(BOOL) includeImportStatus?: string;
  @IsOptional() @IsIn(BOOL) allowEmptyResult?: string;
  @IsOptional() @IsString({ each: true }) divisionId?: string | string[];
  @IsOptional() @IsString() sortBy?: string;
  @IsOptional() @IsString() sortOrder?: string;
}

export class DncListGetQuery {
  @IsOptional() @IsIn(BOOL) includeSize?: string;
  @IsOptional() @IsIn(BOOL) includeImportStatus?: string;
}

export class ExpiryQuery {
  @IsOptional() @IsISO8601({ strict: true }, { message: 'expirationDateTime must be an ISO 8601 date-time such as 2027-01-31T00:00Z' }) expirationDateTime?: string;
}

export class DeleteEntriesQuery {
  @IsOptional() @IsIn(BOOL) expiredOnly?: string;
}

export class ExportQuery {
  @IsOptional() @IsIn(BOOL) download?: string;
}

/** Genesys `DncPatchPhoneNumbersRequest`. */
export class DncPatchPhoneNumbersDto {
  @IsIn(['Add', 'Remove']) action!: 'Add' | 'Remove';
  @IsArray() phoneNumbers!: unknown[];
  @IsOptional() @IsISO8601({ strict: true }) expirationDateTime?: string;
}

/** Genesys `DncPatchEmailsRequest`. */
export class DncPatchEmailsDto {
  @IsIn(['Add', 'Remove']) action!: 'Add' | 'Remove';
  @IsArray() emailAddresses!: unknown[];
  @IsOptional() @IsISO8601({ strict: true }) expirationDateTime?: string;
}
