import { Controller, Get, HttpCode, Logger, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import { IsIn, IsOptional } from 'class-validator';
import { stringify } from 'csv-stringify';
import type { Request, Response } from 'express';
import { once } from 'node:events';
import { ExportsService } from './exports.service';

export class ExportQuery {
  @IsOptional() @IsIn(['true', 'false']) download?: string;
}

/** Genesys `…/contactlists/{id}/export`, plus Herald's download path that streams the CSV. */
@Controller('api/v2/outbound/contactlists')
export class ExportsController {
  private readonly logger = new Logger(ExportsController.name);

  constructor(private readonly exports: ExportsService) {}

  @Post(':id/export')
  @RequirePermissions('outbound:contact:view')
  @HttpCode(200)
  request(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.exports.request(id, divisions);
  }

  /** `{ uri, exportTimestamp }` (Genesys `ExportUri`); with `download=true`, a redirect to the uri. */
  @Get(':id/export')
  @RequirePermissions('outbound:contact:view')
  async uri(@Param('id', ParseUUIDPipe) id: string, @Query() q: ExportQuery, @Req() req: Request, @Res() res: Response, @CallerDivisions() divisions: Divisions): Promise<void> {
    const latest = await this.exports.latest(id, divisions);
    const uri = `${publicOrigin(req)}${latest.downloadPath}`;
    if (q.download === 'true') res.redirect(303, uri);
    else res.status(200).json({ uri, exportTimestamp: latest.exportTimestamp });
  }

  @Get(':id/export/download')
  @RequirePermissions('outbound:contact:view')
  async download(@Param('id', ParseUUIDPipe) id: string, @Res() res: Response, @CallerDivisions() divisions: Divisions): Promise<void> {
    const latest = await this.exports.latest(id, divisions); // 404 before any byte if no export was requested
    const batches = this.exports.batches(id, divisions);
    const header = await batches.next(); // errors up to here still get an error body
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="contactlist-${id}.csv"`);
    res.setHeader('X-Herald-Export-Id', latest.exportId);
    const csv = stringify({ record_delimiter: 'windows' });
    csv.pipe(res);
    let aborted = false;
    const closed = once(res, 'close').then(
      () => (aborted = !res.writableFinished),
      () => (aborted = true), // the socket failed: stop reading
    );
    // Backpressure: wait for the client to take what was written (or to go away).
    const drained = () => Promise.race([once(csv, 'drain'), closed]);
    try {
      for (const row of header.done ? [] : header.value) csv.write(row);
      for await (const batch of batches) {
        for (const row of batch) {
          if (aborted) break;
          if (!csv.write(row)) await drained();
        }
        if (aborted) break;
      }
      csv.end();
    } catch (e) {
      this.logger.error({ msg: 'contact list export failed mid-stream', contactListId: id, err: (e as Error).message });
      csv.destroy();
      res.destroy(e as Error);
    }
  }
}

/** scheme://host the client used (the edge forwards X-Forwarded-Proto/Host). */
function publicOrigin(req: Request): string {
  const proto = String(req.headers['x-forwarded-proto'] ?? req.protocol).split(',')[0]!.trim();
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost').split(',')[0]!.trim();
  return `${proto}://${host}`;
}
