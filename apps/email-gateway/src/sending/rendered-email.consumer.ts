import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { EmailRenderedV1, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { EmailSenderService } from './email-sender.service';

@Controller()
export class RenderedEmailConsumer {
  constructor(private readonly sender: EmailSenderService) {}

  @EventPattern(Topic.EmailRendered)
  onRendered(events: ConsumedEvent<EmailRenderedV1>[]): Promise<void> {
    return this.sender.send(events);
  }
}
