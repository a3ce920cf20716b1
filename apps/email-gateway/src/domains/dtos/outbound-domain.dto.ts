import { IsObject, IsOptional, IsString, Length } from 'class-validator';

/** Genesys `OutboundDomainCreateRequest`: `id` is the domain name (`mail.example.com`). */
export class OutboundDomainCreateDto {
  @IsString() @Length(1, 253) id!: string;
  /** Genesys requires it; Herald takes it as the domain name too and refuses one that differs from `id`. */
  @IsOptional() @IsString() @Length(1, 253) name?: string;
  @IsOptional() @IsString() @Length(1, 64) senderType?: string;
  /** Genesys email settings reference; accepted and ignored. */
  @IsOptional() @IsObject() emailSetting?: unknown;
}

export class OutboundDomainQuery {
  @IsOptional() @IsString() pageSize?: string;
  @IsOptional() @IsString() pageNumber?: string;
  /** Case-insensitive substring of the domain name. */
  @IsOptional() @IsString() filter?: string;
  /** Genesys `expand=settings`; accepted and ignored. */
  @IsOptional() @IsString() expand?: string;
}
