import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CallerDivisions, Divisions, PREVIEW_PERMISSION, RequirePermissions } from '@herald/auth';
import { PreviewsService } from './previews.service';

/** Herald extension: pre-launch previews (dry runs) of a messaging campaign. */
@Controller('api/v2/outbound/messagingcampaigns/:id/previews')
export class PreviewsController {
  constructor(private readonly previews: PreviewsService) {}

  @Post()
  @RequirePermissions(PREVIEW_PERMISSION)
  @HttpCode(202)
  start(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.previews.start(id, divisions);
  }

  @Get(':previewId')
  @RequirePermissions(PREVIEW_PERMISSION)
  get(@Param('id', ParseUUIDPipe) id: string, @Param('previewId', ParseUUIDPipe) previewId: string, @CallerDivisions() divisions: Divisions) {
    return this.previews.get(id, previewId, divisions);
  }
}
