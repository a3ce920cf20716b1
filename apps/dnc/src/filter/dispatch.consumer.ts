import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { ContactDispatchedV1, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { ContactFilterService } from './contact-filter.service';

@Controller()
export class DispatchConsumer {
  constructor(private readonly filter: ContactFilterService) {}

  @EventPattern(Topic.ContactDispatch)
  onDispatch(events: ConsumedEvent<ContactDispatchedV1>[]): Promise<void> {
    return this.filter.filter(events);
  }
}
