import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';

export const RESPONSE_TYPES = ['CampaignSmsTemplate', 'CampaignEmailTemplate', 'MessagingTemplate', 'Response'] as const;

export class DivisionRefDto {
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

export class LibraryRefDto {
  @IsString() @IsNotEmpty() id!: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

export class ResponseTextDto {
  @IsString() @MaxLength(100_000) content!: string;
  @IsOptional() @IsIn(['text/plain', 'text/html']) contentType?: string;
  @IsOptional() @IsIn(['body', 'subject']) type?: string;
}

export class ResponseSubstitutionDto {
  @Matches(/^[A-Za-z_][\w.-]{0,127}$/, { message: 'substitution id must be a name such as firstName' }) id!: string;
  @IsOptional() @IsString() @MaxLength(512) description?: string;
  @IsOptional() @IsString() @MaxLength(2_000) defaultValue?: string;
}

/** Genesys response-management `Response` (a campaign template). */
export class ResponseDto {
  @IsOptional() @IsString() id?: string;
  @IsString() @Length(1, 256) name!: string;
  @IsOptional() @IsInt() version?: number;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => LibraryRefDto) libraries!: LibraryRefDto[];
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(3) @ValidateNested({ each: true }) @Type(() => ResponseTextDto) texts!: ResponseTextDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => ResponseSubstitutionDto) substitutions?: ResponseSubstitutionDto[];
  @IsOptional() @IsIn(RESPONSE_TYPES) responseType?: (typeof RESPONSE_TYPES)[number];
  @IsOptional() @IsString() interactionType?: string;
  /** Herald: the division to create the template in (or move it to); see the README's divisions section. */
  @IsOptional() @ValidateNested() @Type(() => DivisionRefDto) division?: DivisionRefDto;
  // Read-only fields a client may send back from a GET; ignored.
  @IsOptional() @IsString() dateCreated?: string;
  @IsOptional() @IsString() selfUri?: string;
  @IsOptional() @IsObject() sms?: unknown;
  @IsOptional() @IsArray() variables?: unknown[];
  @IsOptional() @IsObject() createdBy?: unknown;
}

export class ResponseListQuery {
  @IsOptional() @IsString() pageSize?: string;
  @IsOptional() @IsString() pageNumber?: string;
  @IsOptional() @IsString() libraryId?: string;
  /** Herald: only templates of these divisions (repeatable); narrowed to the caller's. */
  @IsOptional() @IsString({ each: true }) divisionId?: string | string[];
}
