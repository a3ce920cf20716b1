import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SmsRenderedV1 } from '@herald/contracts';
import { ConsumedEvent, EventPublisher } from '@herald/messaging';
import { LedgeredSender, SenderRateLimiter } from '@herald/sending';
import { DataSource } from 'typeorm';
import { SMS_PROVIDER, SmsProvider } from '../provider/sms-provider';
import { SmsSenderRates } from './sender-rates';

export const SENDER_SETTINGS = Symbol('SENDER_SETTINGS');
export interface SenderSettings {
  concurrency: number;
  /** A claim older than this with no outcome belonged to an attempt that died mid-call. */
  staleClaimMs: number;
  /** One rate for every sender number (SMS_SENDER_RATE_PER_SECOND); unset: carrier defaults by number type. */
  ratePerSecond?: number;
}

/** How long a batch waits for its senders' rate before leaving the rest for a later attempt. */
const RATE_WAIT_MS = 20_000;

/** Sends rendered SMS at most once per message id, through the send ledger `sms.send_attempt`. */
@Injectable()
export class SmsSenderService {
  private readonly sender: LedgeredSender<SmsRenderedV1>;

  constructor(
    @InjectDataSource() db: DataSource,
    publisher: EventPublisher,
    @Inject(SMS_PROVIDER) provider: SmsProvider,
    @Inject(SENDER_SETTINGS) settings: SenderSettings,
  ) {
    const rates = new SmsSenderRates(db, settings.ratePerSecond);
    this.sender = new LedgeredSender<SmsRenderedV1>(db, publisher, {
      channel: 'sms',
      table: 'sms.send_attempt',
      columns: { origination: 'text', segments: 'int' },
      claimValues: (data) => ({ origination: data.from, segments: data.segments }),
      send: (data) => provider.send({ messageId: data.messageId, from: data.from, to: data.to, body: data.body }),
      concurrency: settings.concurrency,
      staleClaimMs: settings.staleClaimMs,
      rate: { limiter: new SenderRateLimiter(db, { schema: 'sms', name: 'sender_rate' }), of: (data) => rates.of(data.from), maxWaitMs: RATE_WAIT_MS },
    });
  }

  send(events: ConsumedEvent<SmsRenderedV1>[]): Promise<void> {
    return this.sender.send(events);
  }
}
