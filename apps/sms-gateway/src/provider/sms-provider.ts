import { SendOutcome } from '@herald/sending';

/** The port every SMS provider implements. */
export interface SmsSendRequest {
  messageId: string;
  from: string;
  to: string;
  body: string;
}

export const SMS_PROVIDER = Symbol('SMS_PROVIDER');

export interface SmsProvider {
  send(request: SmsSendRequest): Promise<SendOutcome>;
}
