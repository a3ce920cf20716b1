import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { CampaignStatusChangedV1, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { DispatcherService } from './dispatcher.service';

@Controller()
export class CampaignLifecycleController {
  constructor(private readonly dispatcher: DispatcherService) {}

  @EventPattern(Topic.CampaignLifecycle)
  async onLifecycle(events: ConsumedEvent<CampaignStatusChangedV1>[]): Promise<void> {
    // In order: a campaign's events share a partition key, so later ones win.
    for (const e of events) await this.dispatcher.applyStatus(e.data, e.envelope);
  }
}
