import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { CampaignAudienceV1, DeliveryResultV1, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { ProgressService } from './progress.service';

@Controller()
export class ProgressConsumer {
  constructor(private readonly progress: ProgressService) {}

  @EventPattern(Topic.CampaignAudience)
  onAudience(events: ConsumedEvent<CampaignAudienceV1>[]): Promise<void> {
    return this.progress.recordAudience(events);
  }

  @EventPattern(Topic.DeliveryResult)
  onResults(events: ConsumedEvent<DeliveryResultV1>[]): Promise<void> {
    return this.progress.recordResults(events);
  }
}
