import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, Max } from 'class-validator';
import { E164 } from './common';

export const SMS_ENCODINGS = ['GSM-7', 'UCS-2'] as const;
export type SmsEncoding = (typeof SMS_ENCODINGS)[number];

/** A rendered SMS, ready for the sms-gateway. */
export class SmsRenderedV1 {
  static readonly type = 'io.herald.message.sms-rendered.v1';
  @IsUUID() messageId!: string;
  @IsOptional() @IsUUID() campaignId?: string;
  @IsOptional() @IsUUID() runId?: string;
  @IsOptional() @IsUUID() contactListId?: string;
  @IsOptional() @IsString() contactId?: string;
  @IsString() division!: string;
  @Matches(E164) from!: string;
  @Matches(E164) to!: string;
  @IsString() @MaxLength(765) body!: string;
  @IsIn(SMS_ENCODINGS) encoding!: SmsEncoding;
  /** 765 characters of UCS-2 (67 per segment) make 12 segments, the most there can be. */
  @IsInt() @Min(1) @Max(12) segments!: number;
}
