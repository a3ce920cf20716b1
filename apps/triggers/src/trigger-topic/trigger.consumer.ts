import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { Topic, TriggerMessageV1 } from '@herald/contracts';
import { BatchOutcome, ConsumedEvent } from '@herald/messaging';
import { AgentlessMessages } from '../agentless/agentless-messages.service';

/**
 * `herald.trigger.v1`: upstream systems' requests for one message each. Undecodable and
 * schema-violating events are dead-lettered by the transport; events this service cannot send
 * (unknown template, unprovisioned sender, …) are returned as rejected and dead-lettered too.
 */
@Controller()
export class TriggerConsumer {
  constructor(private readonly messages: AgentlessMessages) {}

  @EventPattern(Topic.Trigger)
  onTriggers(events: ConsumedEvent<TriggerMessageV1>[]): Promise<BatchOutcome<TriggerMessageV1>> {
    return this.messages.trigger(events);
  }
}
