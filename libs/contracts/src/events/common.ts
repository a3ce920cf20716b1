// Every event module imports this one, so the Reflect metadata API that class-transformer's
// @Type and the JSON Schema generator (design:type of nested objects) rely on is loaded before any
// event class is decorated, also outside Nest (tools, plain scripts, unit tests).
import 'reflect-metadata';
import { IsOptional, IsString, IsUUID } from 'class-validator';

export const CHANNELS = ['sms', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** The home division's id: it exists from the first start, cannot be deleted, and is where a resource goes when its creator holds it and names no division. */
export const HOME_DIVISION = 'home';

/**
 * What every event about one message carries: its id and its references (campaign ones absent
 * for a triggered message). The events of a message's journey extend it.
 */
export class MessageRefsFields {
  @IsUUID() messageId!: string;
  @IsOptional() @IsUUID() campaignId?: string;
  @IsOptional() @IsUUID() runId?: string;
  @IsOptional() @IsUUID() contactListId?: string;
  @IsOptional() @IsString() contactId?: string;
  @IsString() division!: string;
}
