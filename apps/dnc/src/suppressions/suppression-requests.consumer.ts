import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { SuppressionRequestedV1, Topic } from '@herald/contracts';
import { BatchOutcome, ConsumedEvent } from '@herald/messaging';
import { SuppressionsService } from './suppressions.service';

/** The gateways' suppression requests (hard bounces, complaints) into the global suppression. */
@Controller()
export class SuppressionRequestsConsumer {
  constructor(private readonly suppressions: SuppressionsService) {}

  @EventPattern(Topic.Suppression)
  async onRequests(events: ConsumedEvent<SuppressionRequestedV1>[]): Promise<BatchOutcome<SuppressionRequestedV1>> {
    const invalid = await this.suppressions.addRequested(events.map((e) => e.data));
    return { rejected: invalid.map((i) => ({ event: events[i]!, reason: `suppression.address.invalid: the address is not a valid ${events[i]!.data.channel} address` })) };
  }
}
