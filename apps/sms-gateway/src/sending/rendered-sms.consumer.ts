import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { SmsRenderedV1, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { SmsSenderService } from './sms-sender.service';

@Controller()
export class RenderedSmsConsumer {
  constructor(private readonly sender: SmsSenderService) {}

  @EventPattern(Topic.SmsRendered)
  onRendered(events: ConsumedEvent<SmsRenderedV1>[]): Promise<void> {
    return this.sender.send(events);
  }
}
