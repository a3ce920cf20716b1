import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { COLUMN_TYPES, FILTER_TYPES, OPERATORS } from '../audience/audience';

export class FilterRangeDto {
  @IsOptional() @IsArray() @ArrayMaxSize(1_000) @IsString({ each: true }) inSet?: string[];
  // Genesys range bounds (for BETWEEN, which Herald does not implement): accepted and ignored.
  @IsOptional() @IsString() min?: string;
  @IsOptional() @IsString() max?: string;
  @IsOptional() @IsBoolean() minInclusive?: boolean;
  @IsOptional() @IsBoolean() maxInclusive?: boolean;
}

/** Genesys `ContactListFilterPredicate`. */
export class FilterPredicateDto {
  @IsString() column!: string;
  @IsIn(COLUMN_TYPES) columnType!: (typeof COLUMN_TYPES)[number];
  @IsIn(OPERATORS) operator!: (typeof OPERATORS)[number];
  @IsOptional() @IsString() value?: string;
  @IsOptional() @ValidateNested() @Type(() => FilterRangeDto) range?: FilterRangeDto;
  @IsOptional() @IsBoolean() inverted?: boolean;
}

/** Genesys `ContactListFilterClause`. */
export class FilterClauseDto {
  @IsOptional() @IsIn(FILTER_TYPES) filterType?: (typeof FILTER_TYPES)[number];
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => FilterPredicateDto) predicates!: FilterPredicateDto[];
}

export class ContactListRefDto {
  @IsUUID() id!: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

/** Genesys `ContactListFilter`, the fields Herald honours. */
export class ContactListFilterDto {
  @IsOptional() @IsString() id?: string;
  @IsString() @Length(1, 256) name!: string;
  @IsOptional() @IsInt() version?: number;
  @ValidateNested() @Type(() => ContactListRefDto) contactList!: ContactListRefDto;
  @IsOptional() @IsIn(['contactList']) sourceType?: string;
  @IsOptional() @IsIn(FILTER_TYPES) filterType?: (typeof FILTER_TYPES)[number];
  @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => FilterClauseDto) clauses!: FilterClauseDto[];
  // Read-only fields a client may send back from a GET; ignored (a filter's division is its list's).
  @IsOptional() @IsObject() division?: unknown;
  @IsOptional() @IsString() dateCreated?: string;
  @IsOptional() @IsString() dateModified?: string;
  @IsOptional() @IsString() selfUri?: string;
}

export class FilterListQuery {
  @IsOptional() @Type(() => Number) @IsInt() pageSize?: number;
  @IsOptional() @Type(() => Number) @IsInt() pageNumber?: number;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsUUID() contactListId?: string;
  @IsOptional() @IsString() sortBy?: string;
  @IsOptional() @IsString() sortOrder?: string;
  @IsOptional() @IsString() filterType?: string;
  @IsOptional() @IsString() allowEmptyResult?: string;
  /** Herald: only filters of these divisions (repeatable); narrowed to the caller's. */
  @IsOptional() @IsString({ each: true }) divisionId?: string | string[];
}
