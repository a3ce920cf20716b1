import { SendOutcome } from '@herald/sending';

export interface EmailSendRequest {
  messageId: string;
  from: string;
  fromName?: string;
  replyTo?: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  /** Extra message headers (List-Unsubscribe, X-Herald-Message-Id, …). */
  headers: { name: string; value: string }[];
}

export const EMAIL_PROVIDER = Symbol('EMAIL_PROVIDER');

/** The port every email provider implements. */
export interface EmailProvider {
  send(request: EmailSendRequest): Promise<SendOutcome>;
}
