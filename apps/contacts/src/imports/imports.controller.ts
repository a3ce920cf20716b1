import { Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import type { Request, Response } from 'express';
import { ImportQuery } from './dtos/import.dto';
import { ImportsService } from './imports.service';
import { uploadFrom } from './upload';

/**
 * CSV import of contacts (Herald's design in the style of Genesys' contact-list upload): the file
 * streams in, is checked row by row and committed at once; progress shows on the list's importStatus.
 */
@Controller('api/v2/outbound/contactlists')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post(':id/imports')
  @RequirePermissions('outbound:contact:add')
  @HttpCode(200)
  async create(@Param('id', ParseUUIDPipe) id: string, @Query() q: ImportQuery, @Req() req: Request, @Res({ passthrough: true }) res: Response, @CallerDivisions() divisions: Divisions) {
    const upload = await uploadFrom(req, { listId: id, contactIdColumn: q.contactIdColumn ?? q['contact-id-name'] });
    return this.imports.importCsv(id, upload, divisions, () => {
      if (!res.headersSent && !res.writableEnded) res.writeProcessing();
    });
  }

  @Get(':id/imports/:importId')
  @RequirePermissions('outbound:contact:view')
  get(@Param('id', ParseUUIDPipe) id: string, @Param('importId', ParseUUIDPipe) importId: string, @CallerDivisions() divisions: Divisions) {
    return this.imports.get(id, importId, divisions);
  }

  @Get(':id/imports/:importId/rejections.csv')
  @RequirePermissions('outbound:contact:view')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  async rejections(@Param('id', ParseUUIDPipe) id: string, @Param('importId', ParseUUIDPipe) importId: string, @CallerDivisions() divisions: Divisions) {
    const csv = await this.imports.rejectionsCsv(id, importId, divisions);
    return new StreamableFile(csv, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="import-${importId}-rejections.csv"` });
  }
}
