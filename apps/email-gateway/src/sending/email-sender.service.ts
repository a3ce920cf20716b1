import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { signUnsubscribeToken } from '@herald/channels';
import { EmailRenderedV1 } from '@herald/contracts';
import { ConsumedEvent, EventPublisher } from '@herald/messaging';
import { LedgeredSender, SenderRateLimiter, SendGuarantee } from '@herald/sending';
import { DataSource } from 'typeorm';
import { EMAIL_PROVIDER, EmailProvider } from '../provider/email-provider';

export const EMAIL_SENDER_SETTINGS = Symbol('EMAIL_SENDER_SETTINGS');
export interface EmailSenderSettings {
  concurrency: number;
  /** A claim older than this with no outcome belonged to an attempt that died mid-call. */
  staleClaimMs: number;
  /** What an ambiguous send comes to (EMAIL_SEND_GUARANTEE) and, at least once, its calls in all (EMAIL_SEND_MAX_ATTEMPTS). */
  guarantee: SendGuarantee;
  maxAttempts: number;
  /** The SES account's emails per second (SES_MAX_SEND_RATE), shared by every instance. */
  maxSendRate: number;
  /** Public base URL of the edge, without a trailing slash. */
  unsubscribeBaseUrl: string;
  unsubscribeSecret: string;
}

/** The header carrying Herald's message id in every email (also in the SES tag `herald-message-id`). */
export const MESSAGE_ID_HEADER = 'X-Herald-Message-Id';

/**
 * The headers every campaign email carries: RFC 8058 one-click unsubscribe (a signed link to
 * dnc's unsubscribe endpoint through the edge) and Herald's message id.
 */
export function emailHeaders(data: EmailRenderedV1, settings: Pick<EmailSenderSettings, 'unsubscribeBaseUrl' | 'unsubscribeSecret'>): { name: string; value: string }[] {
  const token = signUnsubscribeToken({ channel: 'email', address: data.to, messageId: data.messageId, campaignId: data.campaignId }, settings.unsubscribeSecret);
  return [
    { name: 'List-Unsubscribe', value: `<${settings.unsubscribeBaseUrl}/api/v2/herald/unsubscribe/${token}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    { name: MESSAGE_ID_HEADER, value: data.messageId },
  ];
}


/**
 * Sends rendered email through the send ledger `email.send_attempt`: once per message id, an
 * ambiguous send `unknown` (at most once, the default) or sent again (at least once).
 */
@Injectable()
export class EmailSenderService {
  private readonly sender: LedgeredSender<EmailRenderedV1>;

  constructor(
    @InjectDataSource() db: DataSource,
    publisher: EventPublisher,
    @Inject(EMAIL_PROVIDER) provider: EmailProvider,
    @Inject(EMAIL_SENDER_SETTINGS) settings: EmailSenderSettings,
  ) {
    this.sender = new LedgeredSender<EmailRenderedV1>(db, publisher, {
      channel: 'email',
      table: 'email.send_attempt',
      columns: { sender: 'text' },
      claimValues: (data) => ({ sender: data.from }),
      send: (data) =>
        provider.send({
          messageId: data.messageId,
          from: data.from,
          fromName: data.fromName,
          replyTo: data.replyTo,
          to: data.to,
          subject: data.subject,
          html: data.html,
          text: data.text,
          headers: emailHeaders(data, settings),
        }),
      concurrency: settings.concurrency,
      staleClaimMs: settings.staleClaimMs,
      guarantee: settings.guarantee,
      maxAttempts: settings.maxAttempts,
      // SES limits the account, not a domain: one rate for every email this Herald sends.
      rate: { limiter: new SenderRateLimiter(db, { schema: 'email', name: 'sender_rate' }), of: () => ({ key: 'email:ses-account', perSecond: settings.maxSendRate }), maxWaitMs: 20_000 },
    });
  }

  send(events: ConsumedEvent<EmailRenderedV1>[]): Promise<void> {
    return this.sender.send(events);
  }
}
