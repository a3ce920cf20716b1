import { DynamicModule, Module } from '@nestjs/common';
import { ProviderEventsModule } from '@herald/sending';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { EmailGatewayConfig } from './config';
import { DOMAIN_VERIFIER, LocalDomainVerifier, SesDomainVerifier } from './domains/domain-verifier';
import { SendingDomainsController } from './domains/sending-domains.controller';
import { SendingDomainsService } from './domains/sending-domains.service';
import { Initial1764400000000 } from './migrations/1764400000000-initial';
import { EMAIL_PROVIDER } from './provider/email-provider';
import { SesEmailProvider } from './provider/ses-email.provider';
import { sesClient } from './provider/ses.client';
import { EMAIL_SENDER_SETTINGS, EmailSenderService } from './sending/email-sender.service';
import { RenderedEmailConsumer } from './sending/rendered-email.consumer';
import { sesEventsOf } from './provider/ses-events';
import { SenderRate1765000000090 } from './migrations/1765000000090-sender-rate';
import { DeliveryState1765000000060 } from './migrations/1765000000060-delivery-state';
import { SendAttempts1765000000100 } from './migrations/1765000000100-send-attempts';

/** The email gateway: owns sending domains and email send attempts, sends through SES v2. */
@Module({})
export class AppModule {
  static register(config: EmailGatewayConfig): DynamicModule {
    const ses = sesClient({ region: config.AWS_REGION, endpoint: config.SES_ENDPOINT, timeoutMs: config.EMAIL_SEND_TIMEOUT_MS, maxSockets: config.EMAIL_SEND_CONCURRENCY });
    return {
      module: AppModule,
      imports: [
        loggingModule('email-gateway', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'email', entities: [], migrations: [Initial1764400000000, DeliveryState1765000000060, SenderRate1765000000090, SendAttempts1765000000100] }),
        messagingModule('email-gateway', config),
        HealthModule,
        ProviderEventsModule.forChannel({
          channel: 'email',
          table: 'email.send_attempt',
          timeoutMs: config.DELIVERY_TIMEOUT_MS,
          sns: { region: config.AWS_REGION, trustedCertUrls: config.SNS_TRUSTED_CERT_URLS, trustedTopicArns: config.SNS_TRUSTED_TOPIC_ARNS },
          toEvents: sesEventsOf,
        }),
      ],
      controllers: [RenderedEmailConsumer, SendingDomainsController],
      providers: [
        EmailSenderService,
        SendingDomainsService,
        {
          provide: EMAIL_SENDER_SETTINGS,
          useValue: {
            concurrency: config.EMAIL_SEND_CONCURRENCY,
            staleClaimMs: config.EMAIL_SEND_TIMEOUT_MS * 2,
            guarantee: config.EMAIL_SEND_GUARANTEE,
            maxAttempts: config.EMAIL_SEND_MAX_ATTEMPTS,
            maxSendRate: config.SES_MAX_SEND_RATE,
            unsubscribeBaseUrl: config.UNSUBSCRIBE_BASE_URL.replace(/\/+$/, ''),
            unsubscribeSecret: config.UNSUBSCRIBE_SECRET,
          },
        },
        { provide: EMAIL_PROVIDER, useValue: new SesEmailProvider(ses, config.SES_CONFIGURATION_SET) },
        { provide: DOMAIN_VERIFIER, useValue: config.EMAIL_DOMAIN_VERIFICATION === 'local' ? new LocalDomainVerifier() : new SesDomainVerifier(ses) },
      ],
    };
  }
}
