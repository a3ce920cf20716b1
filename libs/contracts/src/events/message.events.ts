import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, Max } from 'class-validator';
import { E164, MessageRefsFields } from './common';

export const SMS_ENCODINGS = ['GSM-7', 'UCS-2'] as const;
export type SmsEncoding = (typeof SMS_ENCODINGS)[number];

/** A rendered SMS, ready for the sms-gateway. */
export class SmsRenderedV1 extends MessageRefsFields {
  static readonly type = 'io.herald.message.sms-rendered.v1';
  @Matches(E164) from!: string;
  @Matches(E164) to!: string;
  @IsString() @MaxLength(765) body!: string;
  @IsIn(SMS_ENCODINGS) encoding!: SmsEncoding;
  /** 765 characters of UCS-2 (67 per segment) make 12 segments, the most there can be. */
  @IsInt() @Min(1) @Max(12) segments!: number;
}

/** The largest rendered email body part (HTML or text) Herald sends; SES takes 40 MB messages in all. */
export const MAX_EMAIL_BODY_CHARACTERS = 1_000_000;
/** RFC 5322's line limit, which a subject fits in before encoding. */
export const MAX_EMAIL_SUBJECT_CHARACTERS = 998;

/** A rendered email, ready for the email-gateway. */
export class EmailRenderedV1 extends MessageRefsFields {
  static readonly type = 'io.herald.message.email-rendered.v1';
  /** The from address, `local@domain`. */
  @IsString() @MaxLength(320) from!: string;
  /** The from address' display name. */
  @IsOptional() @IsString() @MaxLength(256) fromName?: string;
  @IsOptional() @IsString() @MaxLength(320) replyTo?: string;
  @IsString() @MaxLength(320) to!: string;
  @IsString() @MaxLength(MAX_EMAIL_SUBJECT_CHARACTERS) subject!: string;
  @IsOptional() @IsString() @MaxLength(MAX_EMAIL_BODY_CHARACTERS) html?: string;
  @IsOptional() @IsString() @MaxLength(MAX_EMAIL_BODY_CHARACTERS) text?: string;
}
