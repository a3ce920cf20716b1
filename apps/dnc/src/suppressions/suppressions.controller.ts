import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RequirePermissions } from '@herald/auth';
import { SuppressionDto, SuppressionQuery } from './dtos/suppression.dto';
import { SuppressionsService } from './suppressions.service';
import { pageOf } from '@herald/persistence';

/** Herald extension: the global suppression list (`/api/v2/herald/suppressions`). */
@Controller('api/v2/herald/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionsService) {}

  @Get()
  @RequirePermissions('herald:suppression:view')
  list(@Query() q: SuppressionQuery) {
    return this.suppressions.list({
      channel: q.channel,
      address: q.address,
      ...pageOf(q),
    });
  }

  @Post()
  @RequirePermissions('herald:suppression:add')
  @HttpCode(200)
  add(@Body() dto: SuppressionDto) {
    return this.suppressions.add(dto);
  }

  @Delete(':channel/:address')
  @RequirePermissions('herald:suppression:delete')
  @HttpCode(204)
  remove(@Param('channel') channel: string, @Param('address') address: string): Promise<void> {
    return this.suppressions.remove(channel, address);
  }
}
