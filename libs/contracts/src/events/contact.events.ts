import { IsIn, IsObject, IsOptional, IsString, IsUUID, IsArray, ArrayMaxSize, MaxLength } from 'class-validator';
import { CHANNELS, Channel, MessageRefsFields } from './common';

/**
 * One contact of a campaign run, on its way to be messaged. Carries everything the later
 * stages need (address, the contact's column values for rendering, sender, template) so that
 * no stage has to read another service's tables. Its message id is deterministic: the same run,
 * contact and channel (or the same trigger) always give the same id.
 */
export class ContactDispatchedV1 extends MessageRefsFields {
  static readonly type: string = 'io.herald.contact.dispatched.v1';
  @IsIn(CHANNELS) channel!: Channel;
  /** E.164 phone number for SMS; an email address for email. */
  @IsString() address!: string;
  /** The sender: an E.164 number for SMS; the from address (`local@domain`) for email. */
  @IsString() @MaxLength(320) senderAddress!: string;
  /** Email only: the from address' display name. */
  @IsOptional() @IsString() @MaxLength(256) senderName?: string;
  /** Email only: the reply-to address. */
  @IsOptional() @IsString() @MaxLength(320) replyTo?: string;
  @IsOptional() @IsUUID() templateId?: string;
  @IsOptional() @IsString() messageColumn?: string;
  /** A literal body given by the caller (agentless `textBody`) instead of a template or message column. */
  @IsOptional() @IsString() @MaxLength(100_000) body?: string;
  /** Values for the template's substitutions: the contact's columns, or a trigger's parameters. */
  @IsObject() contactData!: Record<string, string>;
  @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) dncListIds!: string[];
}

/** The same contact after the DNC and suppression check let it through. */
export class ContactClearedV1 extends ContactDispatchedV1 {
  static override readonly type: string = 'io.herald.contact.cleared.v1';
}
