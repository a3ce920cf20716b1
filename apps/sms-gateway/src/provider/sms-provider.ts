/** The port every SMS provider implements. */
export interface SmsSendRequest {
  messageId: string;
  from: string;
  to: string;
  body: string;
}

/**
 * accepted: the provider took it. rejected: it definitely did not and will not (bad number,
 * unknown sender, opted out at the carrier). throttled: it did not, try later. unknown: no one
 * can tell (timeout, 5xx, connection reset) — never resent blindly.
 */
export type SmsSendOutcome =
  | { outcome: 'accepted'; providerMessageId: string }
  | { outcome: 'rejected'; reason: string; detail: string }
  | { outcome: 'throttled'; detail: string }
  | { outcome: 'unknown'; reason: string; detail: string };

export const SMS_PROVIDER = Symbol('SMS_PROVIDER');

export interface SmsProvider {
  send(request: SmsSendRequest): Promise<SmsSendOutcome>;
}
