import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { E164 } from '@herald/contracts';

export const PHONE_NUMBER_TYPES = ['local', 'mobile', 'tollfree', 'shortcode', 'alphanumeric'] as const;

export class DivisionRefDto {
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

/** Genesys `SmsPhoneNumberProvision`: the fields Herald honours. */
export class SmsPhoneNumberProvisionDto {
  @IsOptional() @IsString() id?: string;
  @Matches(E164, { message: 'phoneNumber must be an E.164 number such as +15555550100' }) phoneNumber!: string;
  @IsIn(PHONE_NUMBER_TYPES) phoneNumberType!: (typeof PHONE_NUMBER_TYPES)[number];
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code such as US' }) countryCode!: string;
  @IsOptional() @IsString() @Length(1, 256) name?: string;
  /** Herald: the division the number belongs to (its messages and campaigns stay there). */
  @IsOptional() @ValidateNested() @Type(() => DivisionRefDto) division?: DivisionRefDto;
  // Genesys fields without a local meaning: accepted and ignored.
  @IsOptional() @IsString() addressId?: string;
  @IsOptional() supportedContent?: unknown;
  @IsOptional() @IsString() selfUri?: string;
}

export class PhoneNumberQuery {
  /** Genesys: digits and `*` (wildcard); a plain digit string matches anywhere. Herald: a full E.164 number (`+1…`) matches exactly. */
  @IsOptional()
  @ValidateIf((_, v) => v !== '')
  @Matches(/^(\+\d{1,15}|[0-9*]{1,32})$/, { message: 'phoneNumber must be digits and * wildcards, or a full E.164 number' })
  phoneNumber?: string;
  @IsOptional() @Type(() => Number) @IsInt() pageSize?: number;
  @IsOptional() @Type(() => Number) @IsInt() pageNumber?: number;
  @IsOptional() phoneNumberType?: string | string[];
  @IsOptional() countryCode?: string | string[];
  @IsOptional() phoneNumberStatus?: string | string[];
  @IsOptional() @IsString() sortBy?: string;
  @IsOptional() @IsString() sortOrder?: string;
  @IsOptional() @IsString() language?: string;
  @IsOptional() expand?: string | string[];
  /** Herald: only numbers of these divisions (repeatable); narrowed to the caller's. */
  @IsOptional() @IsString({ each: true }) divisionId?: string | string[];
}
