import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { classifyAwsSendError, SendOutcome } from '@herald/sending';
import { EmailProvider, EmailSendRequest } from './email-provider';
import { MESSAGE_ID_TAG } from './ses-events';

/** An RFC 5322 display name, quoted (quotes and backslashes escaped), or the bare address. */
export function mailbox(address: string, name?: string): string {
  if (!name) return address;
  return `"${name.replace(/[\\"]/g, '\\$&').replace(/[\r\n]+/g, ' ')}" <${address}>`;
}

/**
 * Amazon SES v2 `SendEmail` (simple content). Herald's message id rides in `EmailTags`
 * (`herald-message-id`, for SES event destinations) and in the caller's headers.
 */
export class SesEmailProvider implements EmailProvider {
  constructor(
    private readonly client: SESv2Client,
    /** The configuration set whose event destination publishes the delivery events (SES_CONFIGURATION_SET); unset: the identity's default. */
    private readonly configurationSet?: string,
  ) {}

  async send(request: EmailSendRequest): Promise<SendOutcome> {
    try {
      const out = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: mailbox(request.from, request.fromName),
          Destination: { ToAddresses: [request.to] },
          ReplyToAddresses: request.replyTo ? [request.replyTo] : undefined,
          Content: {
            Simple: {
              Subject: { Data: request.subject, Charset: 'UTF-8' },
              Body: {
                Html: request.html !== undefined ? { Data: request.html, Charset: 'UTF-8' } : undefined,
                Text: request.text !== undefined ? { Data: request.text, Charset: 'UTF-8' } : undefined,
              },
              Headers: request.headers.map((h) => ({ Name: h.name, Value: h.value })),
            },
          },
          EmailTags: [{ Name: MESSAGE_ID_TAG, Value: request.messageId }],
          ConfigurationSetName: this.configurationSet,
        }),
      );
      if (!out.MessageId) return { outcome: 'unknown', reason: 'no-message-id', detail: 'the provider answered without a MessageId' };
      return { outcome: 'accepted', providerMessageId: out.MessageId };
    } catch (e) {
      return classifyAwsSendError(e);
    }
  }
}
