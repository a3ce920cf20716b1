import { Body, Controller, Delete, Get, HttpCode, Param, ParseArrayPipe, ParseUUIDPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import { DomainError } from '@herald/service';
import { isUUID } from 'class-validator';
import { ProgressService } from '../progress/progress.service';
import { ListQuery, MessagingCampaignDto } from './dtos/messaging-campaign.dto';
import { MessagingCampaignsService } from './messaging-campaigns.service';
import { pageOf } from '@herald/persistence';

/** Genesys Cloud `/api/v2/outbound/messagingcampaigns` (OutboundApi). */
@Controller('api/v2/outbound/messagingcampaigns')
export class MessagingCampaignsController {
  constructor(
    private readonly campaigns: MessagingCampaignsService,
    private readonly progress: ProgressService,
  ) {}

  @Post()
  @RequirePermissions('outbound:messagingCampaign:add')
  @HttpCode(200)
  create(@Body() dto: MessagingCampaignDto, @CallerDivisions() divisions: Divisions) {
    return this.campaigns.create(dto, divisions);
  }

  @Get()
  @RequirePermissions('outbound:messagingCampaign:view')
  list(@Query() q: ListQuery, @CallerDivisions() divisions: Divisions) {
    return this.campaigns.list(pageOf(q), divisions, q);
  }

  /** Bulk progress: a list of campaign ids in, their progress out. */
  @Post('progress')
  @RequirePermissions('outbound:messagingCampaign:view')
  @HttpCode(200)
  bulkProgress(@Body(new ParseArrayPipe({ items: String })) ids: string[], @CallerDivisions() divisions: Divisions) {
    const bad = ids.filter((id) => !isUUID(id));
    if (bad.length) throw new DomainError('bad.request', `not campaign ids: ${bad.slice(0, 5).join(', ')}`, 400);
    return this.progress.bulk(ids, divisions);
  }

  @Get(':id')
  @RequirePermissions('outbound:messagingCampaign:view')
  async get(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.campaigns.toResource(await this.campaigns.get(id, divisions));
  }

  @Put(':id')
  @RequirePermissions('outbound:messagingCampaign:edit')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: MessagingCampaignDto, @CallerDivisions() divisions: Divisions) {
    return this.campaigns.update(id, dto, divisions);
  }

  @Delete(':id')
  @RequirePermissions('outbound:messagingCampaign:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.campaigns.remove(id, divisions);
  }

  @Get(':id/progress')
  @RequirePermissions('outbound:messagingCampaign:view')
  getProgress(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.progress.progressOf(id, divisions);
  }

  /** Herald extension: progress as server-sent events (text/event-stream) for dashboards. */
  @Get(':id/progress/stream')
  @RequirePermissions('outbound:messagingCampaign:view')
  streamProgress(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request, @Res() res: Response, @CallerDivisions() divisions: Divisions) {
    return this.progress.stream(id, divisions, req, res);
  }

  @Delete(':id/progress')
  @RequirePermissions('outbound:messagingCampaign:edit')
  @HttpCode(202)
  recycle(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.campaigns.recycle(id, divisions);
  }
}
