import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export const MAX_COLUMNS = 50;
export const MAX_CONTACTS_PER_REQUEST = 1_000;

export class DomainEntityRefDto {
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

export class PhoneColumnDto {
  @IsString() @IsNotEmpty() columnName!: string;
  @IsString() @IsNotEmpty() type!: string;
  @IsOptional() @IsString() @IsNotEmpty() callableTimeColumnName?: string;
}

export class EmailColumnDto {
  @IsString() @IsNotEmpty() columnName!: string;
  @IsString() @IsNotEmpty() type!: string;
  @IsOptional() @IsString() @IsNotEmpty() contactableTimeColumnName?: string;
}

/** Genesys `ContactList`, the fields Herald honours; read-only fields are ignored on write. */
export class ContactListDto {
  @IsOptional() @IsString() id?: string;
  @IsString() @Length(1, 256) name!: string;
  @IsOptional() @IsInt() version?: number;
  @IsOptional() @ValidateNested() @Type(() => DomainEntityRefDto) division?: DomainEntityRefDto;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_COLUMNS, { message: `a contact list has at most ${MAX_COLUMNS} columns` })
  @ArrayUnique({ message: 'columnNames must be unique' })
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  columnNames!: string[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => PhoneColumnDto) phoneColumns?: PhoneColumnDto[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => EmailColumnDto) emailColumns?: EmailColumnDto[];
  @IsOptional() @IsBoolean() trimWhitespace?: boolean;
  /** Genesys: map each contact's time zone from its phone number's area code (or zipCodeColumnName). */
  @IsOptional() @IsBoolean() automaticTimeZoneMapping?: boolean;
  /** Genesys: a column holding a US zip code, used by automaticTimeZoneMapping. */
  @IsOptional() @IsString() @IsNotEmpty() zipCodeColumnName?: string;
  /** Herald extension: a column holding each contact's IANA time zone (`Europe/Paris`). */
  @IsOptional() @IsString() @IsNotEmpty() timeZoneColumn?: string;
  /** Herald extension: region used to read phone numbers written without a country code. */
  @IsOptional() @Matches(/^[A-Z]{2}$/) defaultPhoneRegion?: string;
  // Read-only in Genesys; accepted and ignored so that a GET body can be PUT back.
  @IsOptional() @IsString() dateCreated?: string;
  @IsOptional() @IsString() dateModified?: string;
  @IsOptional() @IsInt() size?: number;
  @IsOptional() @IsObject() importStatus?: unknown;
  @IsOptional() @IsString() selfUri?: string;
}

/** Genesys `WritableDialerContact`. */
export class WritableDialerContactDto {
  @IsOptional() @IsString() @Length(1, 256) id?: string;
  @IsOptional() @IsString() contactListId?: string;
  @IsObject() data!: Record<string, string>;
  @IsOptional() @IsBoolean() callable?: boolean;
  // Read-only; accepted and ignored so that a GET body can be PUT back.
  @IsOptional() @IsString() dateCreated?: string;
  @IsOptional() @IsString() selfUri?: string;
  @IsOptional() @IsObject() latestResults?: unknown;
}

export const MAX_CONTACTS_PER_BULK_GET = 50;

export class AddContactsQuery {
  @IsOptional() @IsIn(['true', 'false']) priority?: string;
  @IsOptional() @IsIn(['true', 'false']) clearSystemData?: string;
  @IsOptional() @IsIn(['true', 'false']) doNotQueue?: string;
}

export class ListQuery {
  @IsOptional() @Type(() => Number) @IsInt() pageSize?: number;
  @IsOptional() @Type(() => Number) @IsInt() pageNumber?: number;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsIn(['true', 'false']) includeSize?: string;
  @IsOptional() @IsIn(['true', 'false']) includeImportStatus?: string;
  @IsOptional() @IsString() sortOrder?: string;
  @IsOptional() @IsString() sortBy?: string;
  /** Genesys: only lists of these divisions (repeatable); narrowed to the caller's. */
  @IsOptional() @IsString({ each: true }) divisionId?: string | string[];
}
