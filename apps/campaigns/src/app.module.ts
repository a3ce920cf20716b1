import { DynamicModule, Module } from '@nestjs/common';
import { ServiceToken } from '@herald/auth';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { CampaignsConfig } from './config';
import { CampaignRevalidator, REVALIDATE_INTERVAL_MS } from './messaging-campaigns/campaign-revalidator';
import { MessagingCampaignsController } from './messaging-campaigns/messaging-campaigns.controller';
import { MessagingCampaignEntity } from './messaging-campaigns/messaging-campaign.entity';
import { MessagingCampaignsService } from './messaging-campaigns/messaging-campaigns.service';
import { REFERENCE_URLS, ReferencesClient } from './messaging-campaigns/references.client';
import { Initial1764200000000 } from './migrations/1764200000000-initial';
import { EmailConfig1764400000000 } from './migrations/1764400000000-email-config';
import { Previews1764480000000 } from './migrations/1764480000000-previews';
import { PreviewStagesClient } from './previews/preview-stages.client';
import { PreviewsController } from './previews/previews.controller';
import { PreviewsService } from './previews/previews.service';
import { Lifecycle1764400000000 } from './migrations/1764400000000-lifecycle';
import { ProgressConsumer } from './progress/progress.consumer';
import { PROGRESS_SETTINGS, ProgressService } from './progress/progress.service';

@Module({})
export class AppModule {
  static register(config: CampaignsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('campaigns', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'campaigns', entities: [MessagingCampaignEntity], migrations: [Initial1764200000000, EmailConfig1764400000000, Lifecycle1764400000000, Previews1764480000000] }),
        messagingModule('campaigns', config),
        HealthModule,
      ],
      controllers: [MessagingCampaignsController, ProgressConsumer, PreviewsController],
      providers: [
        MessagingCampaignsService,
        ProgressService,
        { provide: PROGRESS_SETTINGS, useValue: { stopTimeoutMs: config.CAMPAIGN_STOP_TIMEOUT_MS, pollMs: 500, heartbeatMs: config.PROGRESS_STREAM_HEARTBEAT_MS } },
        ReferencesClient,
        PreviewsService,
        PreviewStagesClient,
        CampaignRevalidator,
        { provide: REVALIDATE_INTERVAL_MS, useValue: config.CAMPAIGN_REVALIDATE_INTERVAL_MS },
        { provide: ServiceToken, useValue: new ServiceToken(config.AUTH_TOKEN_URL, config.SERVICE_CLIENT_ID, config.SERVICE_CLIENT_SECRET) },
        { provide: REFERENCE_URLS, useValue: { contacts: config.CONTACTS_URL, templates: config.TEMPLATES_URL, dnc: config.DNC_URL, emailGateway: config.EMAIL_GATEWAY_URL, smsGateway: config.SMS_GATEWAY_URL } },
      ],
    };
  }
}
