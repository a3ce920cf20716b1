import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { Public } from '@herald/auth';
import { PROVIDER_EVENTS, ProviderEvents } from '@herald/sending';
import type { Request } from 'express';

/**
 * Herald extension: the HTTP(S) subscriber of the SNS topic that carries Amazon SES event publishing records
 * (docs/api.md#provider-events). Public: an SNS post carries no OAuth token, its signature is
 * the credential (verified before anything else; unsigned, forged, tampered or untrusted posts are
 * refused with 400/403). 200 once the event is applied; 503 asks SNS to retry.
 */
@Public()
@Controller('api/v2/herald/providers/sns')
export class ProviderEventsController {
  constructor(@Inject(PROVIDER_EVENTS) private readonly events: ProviderEvents) {}

  @Post('email')
  @HttpCode(200)
  async receive(@Req() req: Request): Promise<void> {
    await this.events.receive(req);
  }
}
