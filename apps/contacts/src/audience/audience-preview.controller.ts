import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SmsDispatchConfig } from '@herald/contracts';
import { NotFoundError } from '@herald/service';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { messageOf } from '../dispatch/address';

export class AudiencePageDto {
  @ValidateNested() @Type(() => SmsDispatchConfig) sms!: SmsDispatchConfig;
  /** The `next` of the previous page. */
  @IsOptional() @Matches(/^\d{1,19}$/) after?: string;
  @IsOptional() @IsInt() @Min(1) @Max(5_000) limit?: number;
}

export type AudienceContact = { contactId: string; address: string; data: Record<string, string> } | { contactId: string; invalidAddress: string };

/**
 * Internal (not routed by the edge): a campaign's would-be audience, page by page, for the
 * pre-launch preview in campaigns. Each contact's address is decided by the dispatcher's own
 * `messageOf`.
 */
@Controller('internal/contactlists')
export class AudiencePreviewController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Post(':id/audience')
  @HttpCode(200)
  async page(@Param('id', ParseUUIDPipe) listId: string, @Body() dto: AudiencePageDto) {
    const [list] = await this.db.query('SELECT 1 FROM contacts.contact_list WHERE id = $1', [listId]);
    if (!list) throw new NotFoundError('contact.list', listId);
    const limit = dto.limit ?? 1_000;
    // The audience as a run snapshots it (dispatcher.service.ts `applyStatus`): every contact of
    // the list. The contact list filter plugs in here, with the dispatcher's own function; the
    // contacts it leaves out are counted in `filteredOut`.
    const rows: { id: string; data: Record<string, string>; seq: string }[] = await this.db.query(
      'SELECT id, data, seq FROM contacts.contact WHERE list_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [listId, dto.after ?? '0', limit],
    );
    const total =
      dto.after === undefined ? ((await this.db.query('SELECT count(*)::int AS n FROM contacts.contact WHERE list_id = $1', [listId])) as { n: number }[])[0]!.n : undefined;
    const contacts: AudienceContact[] = rows.map((r) => {
      const message = messageOf({ config: { sms: dto.sms } }, r.data);
      return 'invalid' in message ? { contactId: r.id, invalidAddress: message.invalid } : { contactId: r.id, address: message.address, data: r.data };
    });
    return { total, contacts, filteredOut: 0, next: rows.length === limit ? rows[rows.length - 1]!.seq : null };
  }
}
