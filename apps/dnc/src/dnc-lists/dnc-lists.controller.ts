import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import { DomainError } from '@herald/service';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { EntryKind } from './dnc-address';
import { DncEntriesService } from './dnc-entries.service';
import { DncExportService } from './dnc-export.service';
import { DncImportService } from './dnc-import.service';
import { DncListsService } from './dnc-lists.service';
import {
  DeleteEntriesQuery,
  DncListDto,
  DncListGetQuery,
  DncListQuery,
  DncPatchEmailsDto,
  DncPatchPhoneNumbersDto,
  ExpiryQuery,
  ExportQuery,
} from './dtos/dnc-list.dto';
import { pageOf } from '@herald/persistence';

function arrayOf(body: unknown, kind: EntryKind): unknown[] {
  if (!Array.isArray(body)) throw new DomainError('bad.request', `the body must be a JSON array of ${kind === 'phone' ? 'phone numbers' : 'email addresses'}`, 400);
  return body;
}

/** Genesys Cloud `/api/v2/outbound/dnclists` (OutboundApi), plus Herald's CSV upload (`…/imports`). */
@Controller('api/v2/outbound/dnclists')
export class DncListsController {
  constructor(
    private readonly lists: DncListsService,
    private readonly entries: DncEntriesService,
    private readonly imports: DncImportService,
    private readonly exports: DncExportService,
  ) {}

  @Post()
  @RequirePermissions('outbound:dncList:add')
  @HttpCode(200)
  create(@Body() dto: DncListDto, @CallerDivisions() divisions: Divisions) {
    return this.lists.create(dto, divisions);
  }

  @Get()
  @RequirePermissions('outbound:dncList:view')
  list(@Query() q: DncListQuery, @CallerDivisions() divisions: Divisions) {
    return this.lists.list(divisions, {
      ...pageOf(q),
      name: q.name,
      filterType: q.filterType,
      dncSourceType: q.dncSourceType,
      includeSize: q.includeSize === 'true',
      includeImportStatus: q.includeImportStatus === 'true',
      divisionId: q.divisionId,
    });
  }

  @Get(':id')
  @RequirePermissions('outbound:dncList:view')
  get(@Param('id', ParseUUIDPipe) id: string, @Query() q: DncListGetQuery, @CallerDivisions() divisions: Divisions) {
    return this.lists.getResource(id, divisions, q.includeSize === 'true', q.includeImportStatus === 'true');
  }

  @Put(':id')
  @RequirePermissions('outbound:dncList:edit')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: DncListDto, @CallerDivisions() divisions: Divisions) {
    return this.lists.update(id, dto, divisions);
  }

  @Delete(':id')
  @RequirePermissions('outbound:dncList:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.lists.remove(id, divisions);
  }

  @Post(':id/phonenumbers')
  @RequirePermissions('outbound:dncList:edit')
  @HttpCode(200)
  addPhoneNumbers(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @Query() q: ExpiryQuery, @CallerDivisions() divisions: Divisions): Promise<void> {
    return this.entries.add(id, 'phone', arrayOf(body, 'phone'), divisions, q.expirationDateTime);
  }

  @Patch(':id/phonenumbers')
  @RequirePermissions('outbound:dncList:edit')
  @HttpCode(200)
  patchPhoneNumbers(@Param('id', ParseUUIDPipe) id: string, @Body() dto: DncPatchPhoneNumbersDto, @CallerDivisions() divisions: Divisions): Promise<void> {
    return this.entries.patch(id, 'phone', dto.action, dto.phoneNumbers, divisions, dto.expirationDateTime);
  }

  @Delete(':id/phonenumbers')
  @RequirePermissions('outbound:dncList:edit')
  @HttpCode(204)
  clearPhoneNumbers(@Param('id', ParseUUIDPipe) id: string, @Query() q: DeleteEntriesQuery, @CallerDivisions() divisions: Divisions): Promise<void> {
    return this.entries.clear(id, 'phone', q.expiredOnly === 'true', divisions);
  }

  @Post(':id/emailaddresses')
  @RequirePermissions('outbound:dncList:edit')
  @HttpCode(200)
  addEmailAddresses(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown, @Query() q: ExpiryQuery, @CallerDivisions() divisions: Divisions): Promise<void> {
    return this.entries.add(id, 'email', arrayOf(body, 'email'), divisions, q.expirationDateTime);
  }

  @Patch(':id/emailaddresses')
  @RequirePermissions('outbound:dncList:edit')
  @HttpCode(200)
  patchEmailAddresses(@Param('id', ParseUUIDPipe) id: string, @Body() dto: DncPatchEmailsDto, @CallerDivisions() divisions: Divisions): Promise<void> {
    return this.entries.patch(id, 'email', dto.action, dto.emailAddresses, divisions, dto.expirationDateTime);
  }

  @Delete(':id/emailaddresses')
  @RequirePermissions('outbound:dncList:edit')
  @HttpCode(204)
  clearEmailAddresses(@Param('id', ParseUUIDPipe) id: string, @Query() q: DeleteEntriesQuery, @CallerDivisions() divisions: Divisions): Promise<void> {
    return this.entries.clear(id, 'email', q.expiredOnly === 'true', divisions);
  }

  /**
   * CSV upload (Herald extension). Answers 200 with the final status when the import is committed
   * within DNC_IMPORT_WAIT_MS, else 202 while it finishes in the background (poll …/importstatus).
   */
  @Post(':id/imports')
  @RequirePermissions('outbound:dncList:edit')
  async upload(@Param('id', ParseUUIDPipe) id: string, @Query() q: ExpiryQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CallerDivisions() divisions: Divisions) {
    let started;
    try {
      started = await this.imports.start(id, req, divisions, q.expirationDateTime);
    } catch (e) {
      if ((e as DomainError).status === 413) res.setHeader('Connection', 'close');
      throw e;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([started.committed, new Promise((r) => (timer = setTimeout(r, this.imports.waitMs)))]);
    clearTimeout(timer);
    const status = await this.imports.status(id, divisions);
    res.status(status.state === 'IN_PROGRESS' ? 202 : 200);
    return status;
  }

  @Get(':id/importstatus')
  @RequirePermissions('outbound:dncList:view')
  importStatus(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.imports.status(id, divisions);
  }

  @Post(':id/export')
  @RequirePermissions('outbound:dncList:view')
  @HttpCode(200)
  requestExport(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.exports.request(id, divisions);
  }

  @Get(':id/export')
  @RequirePermissions('outbound:dncList:view')
  async exportUri(@Param('id', ParseUUIDPipe) id: string, @Query() q: ExportQuery, @Res({ passthrough: true }) res: Response, @CallerDivisions() divisions: Divisions) {
    const uri = await this.exports.uri(id, divisions);
    if (q.download === 'true') res.redirect(303, uri.uri);
    else return uri;
  }

  @Get(':id/export/download')
  @RequirePermissions('outbound:dncList:view')
  async download(@Param('id', ParseUUIDPipe) id: string, @Res() res: Response, @CallerDivisions() divisions: Divisions): Promise<void> {
    const { filename, stream } = await this.exports.csv(id, divisions);
    res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    await pipeline(stream, res).catch(() => res.destroy());
  }
}
