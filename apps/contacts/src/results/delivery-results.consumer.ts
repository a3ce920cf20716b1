import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { DeliveryResultV1, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { ContactResultsService } from './contact-results.service';

/** Keeps each contact's last result per channel from the public result topic (one statement per batch). */
@Controller()
export class DeliveryResultsConsumer {
  constructor(private readonly results: ContactResultsService) {}

  @EventPattern(Topic.DeliveryResult)
  onResults(events: ConsumedEvent<DeliveryResultV1>[]): Promise<void> {
    return this.results.record(events.map((e) => e.data));
  }
}
