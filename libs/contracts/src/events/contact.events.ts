import { IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, IsArray, ArrayMaxSize } from 'class-validator';
import { CHANNELS, Channel, E164 } from './common';

/**
 * One contact of a campaign run, on its way to be messaged. Carries everything the later
 * stages need (address, the contact's column values for rendering, sender, template) so that
 * no stage has to read another service's tables.
 */
export class ContactDispatchedV1 {
  static readonly type: string = 'io.herald.contact.dispatched.v1';
  /** Deterministic: the same run, contact and channel always give the same id. */
  @IsUUID() messageId!: string;
  @IsUUID() campaignId!: string;
  @IsUUID() runId!: string;
  @IsString() division!: string;
  @IsUUID() contactListId!: string;
  @IsString() contactId!: string;
  @IsIn(CHANNELS) channel!: Channel;
  /** E.164 phone number for SMS; an email address for email. */
  @IsString() address!: string;
  @Matches(E164) senderAddress!: string;
  @IsOptional() @IsUUID() templateId?: string;
  @IsOptional() @IsString() messageColumn?: string;
  @IsObject() contactData!: Record<string, string>;
  @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) dncListIds!: string[];
}

/** The same contact after the DNC and suppression check let it through. */
export class ContactClearedV1 extends ContactDispatchedV1 {
  static override readonly type: string = 'io.herald.contact.cleared.v1';
}
