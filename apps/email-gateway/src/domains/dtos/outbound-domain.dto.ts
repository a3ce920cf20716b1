import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';

export class DivisionRefDto {
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() selfUri?: string;
}

/** Genesys `OutboundDomainCreateRequest`: `id` is the domain name (`mail.example.com`). */
export class OutboundDomainCreateDto {
  @IsString() @Length(1, 253) id!: string;
  /** Genesys requires it; Herald takes it as the domain name too and refuses one that differs from `id`. */
  @IsOptional() @IsString() @Length(1, 253) name?: string;
  @IsOptional() @IsString() @Length(1, 64) senderType?: string;
  /** Genesys email settings reference; accepted and ignored. */
  @IsOptional() @IsObject() emailSetting?: unknown;
  /** Herald: the division the domain belongs to (its campaigns and messages stay there). */
  @IsOptional() @ValidateNested() @Type(() => DivisionRefDto) division?: DivisionRefDto;
}

export class OutboundDomainQuery {
  @IsOptional() @IsString() pageSize?: string;
  @IsOptional() @IsString() pageNumber?: string;
  /** Case-insensitive substring of the domain name. */
  @IsOptional() @IsString() filter?: string;
  /** Genesys `expand=settings`; accepted and ignored. */
  @IsOptional() @IsString() expand?: string;
  /** Herald: only domains of these divisions (repeatable); narrowed to the caller's. */
  @IsOptional() @IsString({ each: true }) divisionId?: string | string[];
}
