import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { ContactClearedV1, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { RendererService } from './renderer.service';

@Controller()
export class ClearedConsumer {
  constructor(private readonly renderer: RendererService) {}

  @EventPattern(Topic.ContactCleared)
  onCleared(events: ConsumedEvent<ContactClearedV1>[]): Promise<void> {
    return this.renderer.render(events);
  }
}
