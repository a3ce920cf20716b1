import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Channel } from '@herald/contracts';
import { EventPublisher } from '@herald/messaging';
import { awsSnsUrlPrefix, SnsVerifier, trustedPrefixProblem } from '@herald/sns';
import { ValidateBy, ValidationOptions } from 'class-validator';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { ProviderEvent } from './delivery-state';
import { DeliveryTracker, SWEEP_BATCH } from './delivery-tracker';
import { snsBodyOf, SnsEventReceiver } from './sns-receiver';

export const PROVIDER_EVENTS = Symbol('PROVIDER_EVENTS');

export interface ProviderEventsOptions {
  channel: Channel;
  /** The send ledger table (DeliveryTracker). */
  table: string;
  /** DELIVERY_TIMEOUT_MS: an accepted message with no word from the provider after this long becomes `unknown` / `delivery.timeout`. */
  timeoutMs: number;
  verifier: SnsVerifier;
  /** The provider's event JSON (an SNS notification's message) in the gateway's words. */
  toEvents(payload: unknown): ProviderEvent[];
}

/**
 * A gateway's provider events: the SNS endpoint's work (verify, then apply to the per-message
 * delivery state) and the stuck-message sweep, which runs every quarter of the timeout (at least
 * every second, at most every minute) from boot to shutdown.
 */
export class ProviderEvents implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly tracker: DeliveryTracker;
  private readonly receiver: SnsEventReceiver;
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(db: DataSource, publisher: EventPublisher, private readonly options: ProviderEventsOptions) {
    this.tracker = new DeliveryTracker(db, publisher, options);
    this.receiver = new SnsEventReceiver(options.verifier, this.tracker, options.toEvents, options.channel);
    this.logger = new Logger(`ProviderEvents:${options.channel}`);
  }

  /** One SNS post (the request's body is read here: SNS sends JSON as text/plain). */
  async receive(req: Request): Promise<void> {
    await this.receiver.receive(await snsBodyOf(req));
  }

  onApplicationBootstrap(): void {
    const every = Math.min(Math.max(Math.floor(this.options.timeoutMs / 4), 1_000), 60_000);
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, every);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private async sweep(): Promise<void> {
    try {
      while ((await this.tracker.sweepStuck()) === SWEEP_BATCH) {
        /* a full sweep: the next batch may be waiting */
      }
    } catch (e) {
      this.logger.warn({ msg: 'stuck-message sweep failed; retried at the next tick', err: (e as Error).message });
    }
  }
}

/** Splits a comma-separated setting into its non-empty items. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The verifier of a gateway's SNS endpoint from its settings: trusted certificate locations
 * (SNS_TRUSTED_CERT_URLS, default AWS's own in the gateway's region) and topics (SNS_TRUSTED_TOPIC_ARNS, default any).
 */
export function snsVerifierFor(settings: { region: string; trustedCertUrls?: string; trustedTopicArns?: string }): SnsVerifier {
  const prefixes = list(settings.trustedCertUrls);
  return new SnsVerifier({
    trustedUrlPrefixes: prefixes.length ? prefixes : [awsSnsUrlPrefix(settings.region)],
    trustedTopicArns: list(settings.trustedTopicArns),
  });
}

/** Config decorator for SNS_TRUSTED_CERT_URLS: a comma-separated list of safe URL prefixes (trustedPrefixProblem). */
export function IsTrustedUrlPrefixList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustedUrlPrefixList',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && list(value).every((p) => trustedPrefixProblem(p) === undefined),
        defaultMessage: (args) => `${args?.property} must be a comma-separated list of http(s) URL prefixes, each ending with "/" (e.g. https://sns.us-east-1.amazonaws.com/)`,
      },
    },
    options,
  );
}
