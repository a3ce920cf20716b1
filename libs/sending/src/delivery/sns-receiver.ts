import { HttpException, Logger } from '@nestjs/common';
import { SnsMessageError, SnsVerifier } from '@herald/sns';
import type { Request } from 'express';
import { ProviderEvent } from './delivery-state';
import { DeliveryTracker, SendInFlightError } from './delivery-tracker';

/** A refused provider event, with its Genesys-style error code (the error filter keeps it). */
export class ProviderEventError extends HttpException {
  constructor(code: string, message: string, status: number) {
    super({ message, code }, status);
  }
}

/** HTTP status of each way an SNS message can be refused: malformed 400; not trustworthy 403; our side cannot check it now 503 (SNS retries). */
const STATUS_OF: Record<string, number> = {
  'sns.message.invalid': 400,
  'sns.certificate.unavailable': 503,
};

const MAX_BODY_BYTES = 1024 * 1024;

/** The body of an SNS post: SNS sends JSON as `text/plain`, which the JSON body parser leaves unread. */
export async function snsBodyOf(req: Request): Promise<unknown> {
  if (req.readableEnded || (req as { _body?: boolean })._body) return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ProviderEventError('payload.too.large', `an SNS message is at most ${MAX_BODY_BYTES} bytes`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An HTTP endpoint subscribed to an Amazon SNS topic that carries a provider's events: every post
 * is verified (SnsVerifier: signature, trusted certificate location, trusted topic) before
 * anything else; a SubscriptionConfirmation is confirmed (its SubscribeURL fetched, if trusted);
 * an UnsubscribeConfirmation is logged; a Notification's message is mapped to provider events by
 * `toEvents` (the gateway's own provider format) and applied by the DeliveryTracker.
 */
export class SnsEventReceiver {
  private readonly logger: Logger;

  constructor(
    private readonly verifier: SnsVerifier,
    private readonly tracker: DeliveryTracker,
    private readonly toEvents: (payload: unknown) => ProviderEvent[],
    name: string,
  ) {
    this.logger = new Logger(`SnsEventReceiver:${name}`);
  }

  async receive(body: unknown): Promise<void> {
    let message;
    try {
      message = await this.verifier.verify(body);
    } catch (e) {
      if (!(e instanceof SnsMessageError)) throw e;
      this.logger.warn({ msg: 'SNS message refused', code: e.code, reason: e.message });
      throw new ProviderEventError(e.code, e.message, STATUS_OF[e.code] ?? 403);
    }
    switch (message.Type) {
      case 'SubscriptionConfirmation':
        try {
          await this.verifier.confirmSubscription(message);
        } catch (e) {
          if (e instanceof SnsMessageError) throw new ProviderEventError(e.code, e.message, 403);
          throw new ProviderEventError('sns.subscription.unconfirmed', `the subscription could not be confirmed (${(e as Error).message})`, 503);
        }
        this.logger.log({ msg: 'SNS subscription confirmed', topicArn: message.TopicArn });
        return;
      case 'UnsubscribeConfirmation':
        this.logger.warn({ msg: 'SNS subscription ended by the topic', topicArn: message.TopicArn });
        return;
      case 'Notification': {
        let payload: unknown;
        try {
          payload = JSON.parse(message.Message);
        } catch {
          throw new ProviderEventError('sns.notification.invalid', 'the notification message is not JSON', 400);
        }
        try {
          await this.tracker.apply(this.toEvents(payload));
        } catch (e) {
          if (e instanceof SendInFlightError) throw new ProviderEventError('provider.event.early', e.message, 503);
          throw e;
        }
      }
    }
  }
}
