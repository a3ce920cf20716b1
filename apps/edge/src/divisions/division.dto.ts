import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** Genesys `AuthzDivision` as written: a name and a description; the rest is read-only and ignored. */
export class DivisionDto {
  @IsString() @Length(1, 256) name!: string;
  @IsOptional() @IsString() @MaxLength(2_000) description?: string;
  // Read-only fields a client may send back from a GET; ignored.
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsBoolean() homeDivision?: boolean;
  @IsOptional() @IsObject() objectCounts?: unknown;
  @IsOptional() @IsString() selfUri?: string;
}

export class DivisionQuery {
  @IsOptional() @Type(() => Number) @IsInt() pageSize?: number;
  @IsOptional() @Type(() => Number) @IsInt() pageNumber?: number;
  @IsOptional() @IsString() name?: string;
  /** Genesys: request specific divisions by id (repeatable). */
  @IsOptional() id?: string | string[];
  @IsOptional() @IsIn(['true', 'false']) objectCount?: string;
  @IsOptional() @IsString() sortBy?: string;
}

export class DivisionGetQuery {
  @IsOptional() @IsIn(['true', 'false']) objectCount?: string;
}
