import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';
import { CHANNELS, Channel } from './common';

/** One value for a template substitution (Genesys `TemplateParameter`). */
export class TriggerTemplateParameter {
  @IsString() @Length(1, 128) id!: string;
  @IsString() @MaxLength(2_000) value!: string;
}

/** The template of a triggered message and its values (Genesys `SendMessagingTemplateRequest`). */
export class TriggerMessagingTemplate {
  /** A response-management response (`CampaignSmsTemplate` for SMS, `CampaignEmailTemplate` for email). */
  @IsUUID() responseId!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => TriggerTemplateParameter) parameters?: TriggerTemplateParameter[];
}

/**
 * One message to send now, outside any campaign: the fields of Genesys'
 * `SendAgentlessOutboundMessageRequest` that Herald serves. The REST body
 * (`POST /api/v2/conversations/messages/agentless`) and the trigger event share them.
 * Either `textBody` or `messagingTemplate`, not both; what a schema cannot say (E.164 for SMS,
 * 765 characters, a provisioned sender, an existing template) the triggers service checks.
 */
export class AgentlessMessageFields {
  /** The sender: a provisioned E.164 number for SMS; an address on a provisioned domain for email. */
  @IsString() @Length(1, 320) fromAddress!: string;
  /** The recipient: a phone number with its country code for SMS (normalised to E.164); an email address. */
  @IsString() @Length(1, 320) toAddress!: string;
  @IsIn(CHANNELS) toAddressMessengerType!: Channel;
  @IsOptional() @IsString() @MaxLength(100_000) textBody?: string;
  @IsOptional() @ValidateNested() @Type(() => TriggerMessagingTemplate) messagingTemplate?: TriggerMessagingTemplate;
}

/**
 * Published by upstream systems (a shop, a booking system, a 2FA service) on `herald.trigger.v1`:
 * send one message now. Duplicates are recognised by CloudEvents `source` + `id`; an
 * `idempotencyKey`, when given, names the message instead (the same key as the REST API's
 * `Idempotency-Key` gives the same message id).
 */
export class TriggerMessageV1 extends AgentlessMessageFields {
  static readonly type = 'io.herald.trigger.message.v1';
  @IsOptional() @IsString() @Length(1, 255) idempotencyKey?: string;
}
