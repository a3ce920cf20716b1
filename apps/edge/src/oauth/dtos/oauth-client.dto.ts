import { PERMISSION_PATTERN } from '@herald/auth';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';

export const GRANT_TYPES = ['CLIENT-CREDENTIALS'] as const;
export const CLIENT_STATES = ['active', 'disabled'] as const;

/**
 * Genesys `OAuthClientRequest`. Herald reads `scope` as the client's permissions (Genesys-style
 * `domain:entity:action` strings, `*` allowed per part) and adds `rateLimitPerSecond` and
 * `divisionIds` (the divisions granted, or `*` for all: Herald has no roles, so no `roleDivisions`).
 */
export class OAuthClientDto {
  @IsString() @Length(1, 256) name!: string;
  @IsOptional() @IsString() @MaxLength(2_000) description?: string;
  @IsIn(GRANT_TYPES, { message: 'authorizedGrantType must be CLIENT-CREDENTIALS (the only grant Herald serves)' }) authorizedGrantType!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(200) @Matches(PERMISSION_PATTERN, { each: true, message: 'each scope must be a permission such as outbound:contactList:add' })
  scope?: string[];
  @IsOptional() @IsInt() @Min(60) accessTokenValiditySeconds?: number;
  @IsOptional() @IsIn(CLIENT_STATES) state?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100_000) rateLimitPerSecond?: number;
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1_000) @ArrayUnique() @IsString({ each: true }) @Length(1, 64, { each: true }) divisionIds?: string[];
  // Genesys fields Herald does not use: accepted when empty, so a GET body can be sent back.
  @IsOptional() @IsArray() @ArrayMaxSize(0, { message: 'roleIds are not supported: put permissions in scope' }) roleIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(0, { message: 'roleDivisions are not supported: Herald has no roles; grant divisions with divisionIds' }) roleDivisions?: unknown[];
  @IsOptional() @IsArray() @ArrayMaxSize(0, { message: 'registeredRedirectUri does not apply to CLIENT-CREDENTIALS' }) registeredRedirectUri?: string[];
  // Read-only fields a client may send back from a GET; ignored.
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() dateCreated?: string;
  @IsOptional() @IsString() dateModified?: string;
  @IsOptional() createdBy?: unknown;
  @IsOptional() modifiedBy?: unknown;
  @IsOptional() @IsString() selfUri?: string;
}
