import { createSelfSignedSnsSigner, deliverSnsMessage, SnsSigner, snsNotification } from './sns-signer';

export interface SnsTopicPublisherOptions {
  /** The subscriber's endpoint. */
  url: string;
  topicArn: string;
  /** The certificate's CN (any name: the subscriber trusts the URL it is served from). */
  commonName: string;
  /** Messages being posted at once; default 16. */
  concurrency?: number;
  /** Told about each notification that was refused or could not be delivered. */
  onFailure?(status: number, message: Record<string, unknown>): void;
}

export interface SnsPublisherStats {
  /** Notifications the subscriber answered 2xx (each counted once, whatever its duplicates). */
  published: number;
  /** Notifications it refused (4xx other than 429). */
  refused: number;
  /** Notifications still failing after every retry. */
  undelivered: number;
  /** Notifications waiting or in flight. */
  pending: number;
}

/**
 * A local stand-in for an SNS topic with one HTTP(S) subscriber: each published message (a
 * provider's event JSON) becomes a Notification signed with a self-signed certificate made at
 * start, which the owner serves at `certificateUrl`. A group of messages (one sent message's
 * events) is posted in the order given, one after the other; groups go CONCURRENCY at a time.
 * `copies` posts a notification again (same MessageId), as SNS does when it redelivers.
 */
export class SnsTopicPublisher {
  private readonly signer: Promise<SnsSigner>;
  private readonly queue: { messages: Record<string, unknown>[]; copies: number }[] = [];
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private closed = false;
  readonly stats: SnsPublisherStats = { published: 0, refused: 0, undelivered: 0, pending: 0 };
  /** Where the certificate is served; set by the owner once it listens. */
  certificateUrl = '';

  constructor(private readonly options: SnsTopicPublisherOptions) {
    this.signer = createSelfSignedSnsSigner(options.commonName);
    // Whoever awaits it sees a failure; this keeps it from being an unhandled rejection meanwhile.
    this.signer.catch(() => undefined);
  }

  certificatePem(): Promise<string> {
    return this.signer.then((s) => s.certificatePem);
  }

  publish(messages: Record<string, unknown>[], copies = 1): void {
    if (this.closed || messages.length === 0) return;
    this.stats.pending += messages.length;
    this.queue.push({ messages, copies });
    this.pump();
  }

  /** Resolves when nothing is waiting or in flight. */
  drained(): Promise<void> {
    if (this.stats.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drops what has not been posted yet. */
  close(): void {
    this.closed = true;
    for (const group of this.queue.splice(0)) this.stats.pending -= group.messages.length;
    if (this.stats.pending === 0) for (const done of this.idle.splice(0)) done();
  }

  private pump(): void {
    while (this.inFlight < (this.options.concurrency ?? 16) && this.queue.length > 0) {
      const group = this.queue.shift()!;
      this.inFlight++;
      void (async () => {
        for (const message of group.messages) {
          await this.post(message, group.copies);
          this.stats.pending--;
        }
      })().finally(() => {
        this.inFlight--;
        this.pump();
        if (this.stats.pending === 0) for (const done of this.idle.splice(0)) done();
      });
    }
  }

  private async post(message: Record<string, unknown>, copies: number): Promise<void> {
    let status = 0;
    try {
      const signer = await this.signer;
      const notification = signer.sign(snsNotification(this.options.topicArn, JSON.stringify(message)), this.certificateUrl);
      // Patient, as SNS is: about 45 s of retries (a gateway answers 503 while the message's send is still in flight).
      for (let i = 0; i < copies && !this.closed; i++) status = await deliverSnsMessage(this.options.url, notification, { attempts: 15 });
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) this.stats.published++;
    else {
      if (status >= 400 && status < 500 && status !== 429) this.stats.refused++;
      else this.stats.undelivered++;
      this.options.onFailure?.(status, message);
    }
  }
}
