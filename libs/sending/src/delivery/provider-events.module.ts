import { Controller, DynamicModule, HttpCode, Inject, Module, Post, Req } from '@nestjs/common';
import { Public } from '@herald/auth';
import { EventPublisher } from '@herald/messaging';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { PROVIDER_EVENTS, ProviderEvents, ProviderEventsOptions, snsVerifierFor } from './provider-events';

export interface ProviderEventsModuleOptions extends Omit<ProviderEventsOptions, 'verifier'> {
  /** Whose SNS notifications are trusted (the gateway's AWS_REGION, SNS_TRUSTED_CERT_URLS, SNS_TRUSTED_TOPIC_ARNS). */
  sns: { region: string; trustedCertUrls?: string; trustedTopicArns?: string };
}

/**
 * A gateway's provider events, wired once for either channel: the ProviderEvents service and its
 * HTTP(S) SNS subscriber endpoint `POST /api/v2/herald/providers/sns/{channel}` (Herald extension,
 * docs/api.md#provider-events). The endpoint is public: an SNS post carries no OAuth token, its
 * signature is the credential (verified before anything else; unsigned, forged, tampered or
 * untrusted posts are refused with 400/403). 200 once the event is applied; 503 asks SNS to retry.
 */
@Module({})
export class ProviderEventsModule {
  static forChannel(options: ProviderEventsModuleOptions): DynamicModule {
    const { sns, ...rest } = options;

    @Public()
    @Controller('api/v2/herald/providers/sns')
    class ProviderEventsController {
      constructor(@Inject(PROVIDER_EVENTS) private readonly events: ProviderEvents) {}

      @Post(options.channel)
      @HttpCode(200)
      async receive(@Req() req: Request): Promise<void> {
        await this.events.receive(req);
      }
    }

    return {
      module: ProviderEventsModule,
      controllers: [ProviderEventsController],
      providers: [
        {
          provide: PROVIDER_EVENTS,
          inject: [DataSource, EventPublisher],
          useFactory: (db: DataSource, publisher: EventPublisher) => new ProviderEvents(db, publisher, { ...rest, verifier: snsVerifierFor(sns) }),
        },
      ],
      exports: [PROVIDER_EVENTS],
    };
  }
}
