import { DynamicModule, Module } from '@nestjs/common';
import { ProviderEventsModule } from '@herald/sending';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { SmsGatewayConfig } from './config';
import { Initial1764200000000 } from './migrations/1764200000000-initial';
import { PhoneNumbers1764400000000 } from './migrations/1764400000000-phone-numbers';
import { PhoneNumberUnique1765000000031 } from './migrations/1765000000031-phone-number-unique';
import { PhoneNumbersController } from './phone-numbers/phone-numbers.controller';
import { PhoneNumbersService } from './phone-numbers/phone-numbers.service';
import { PinpointSmsProvider } from './provider/pinpoint-sms.provider';
import { SMS_PROVIDER } from './provider/sms-provider';
import { RenderedSmsConsumer } from './sending/rendered-sms.consumer';
import { SENDER_SETTINGS, SmsSenderService } from './sending/sms-sender.service';
import { smsEventsOf } from './provider/sms-events';
import { DeliveryState1765000000060 } from './migrations/1765000000060-delivery-state';
import { SenderRate1765000000090 } from './migrations/1765000000090-sender-rate';

@Module({})
export class AppModule {
  static register(config: SmsGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('sms-gateway', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'sms', entities: [], migrations: [Initial1764200000000, PhoneNumbers1764400000000, PhoneNumberUnique1765000000031, DeliveryState1765000000060, SenderRate1765000000090] }),
        messagingModule('sms-gateway', config),
        HealthModule,
        ProviderEventsModule.forChannel({
          channel: 'sms',
          table: 'sms.send_attempt',
          timeoutMs: config.DELIVERY_TIMEOUT_MS,
          sns: { region: config.AWS_REGION, trustedCertUrls: config.SNS_TRUSTED_CERT_URLS, trustedTopicArns: config.SNS_TRUSTED_TOPIC_ARNS },
          toEvents: smsEventsOf,
        }),
      ],
      controllers: [RenderedSmsConsumer, PhoneNumbersController],
      providers: [
        SmsSenderService,
        PhoneNumbersService,
        { provide: SENDER_SETTINGS, useValue: { concurrency: config.SMS_SEND_CONCURRENCY, staleClaimMs: config.SMS_SEND_TIMEOUT_MS * 2, ratePerSecond: config.SMS_SENDER_RATE_PER_SECOND } },
        {
          provide: SMS_PROVIDER,
          useValue: new PinpointSmsProvider({
            region: config.AWS_REGION,
            endpoint: config.SMS_PROVIDER_ENDPOINT,
            timeoutMs: config.SMS_SEND_TIMEOUT_MS,
            maxSockets: config.SMS_SEND_CONCURRENCY,
          }),
        },
      ],
    };
  }
}
