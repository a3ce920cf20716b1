import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CallerDivisions, Divisions, PREVIEW_PERMISSION, RequirePermissions } from '@herald/auth';
import { EmailDispatchConfig, SmsDispatchConfig } from '@herald/contracts';
import { DomainError, NotFoundError } from '@herald/service';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { messageOf } from '../dispatch/address';
import { audienceCondition, countAudience, filtersByIds } from './audience';

export class AudiencePageDto {
  /** The campaign's channel settings, as its lifecycle event carries them: `sms` or `email`. */
  @IsOptional() @ValidateNested() @Type(() => SmsDispatchConfig) sms?: SmsDispatchConfig;
  @IsOptional() @ValidateNested() @Type(() => EmailDispatchConfig) email?: EmailDispatchConfig;
  /** The campaign's contact list filters: contacts they leave out are not in the audience. */
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) contactListFilterIds?: string[];
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
  @RequirePermissions(PREVIEW_PERMISSION)
  @HttpCode(200)
  async page(@Param('id', ParseUUIDPipe) listId: string, @Body() dto: AudiencePageDto, @CallerDivisions() divisions: Divisions) {
    const [list] = await this.db.query('SELECT division FROM contacts.contact_list WHERE id = $1', [listId]);
    if (!list || !divisions.has(list.division)) throw new NotFoundError('contact.list', listId);
    if (!dto.sms === !dto.email) throw new DomainError('bad.request', 'exactly one of sms and email is required', 400);
    const limit = dto.limit ?? 1_000;
    // The audience as a run snapshots it (dispatcher.service.ts `applyStatus`): the contacts of the
    // list that the campaign's filters match, with the same condition.
    const sql = (text: string, params?: unknown[]) => this.db.query(text, params);
    const filters = await filtersByIds(sql, dto.contactListFilterIds ?? []);
    const params: unknown[] = [listId, dto.after ?? '0', limit];
    const rows: { id: string; data: Record<string, string>; seq: string }[] = await this.db.query(
      `SELECT id, data, seq FROM contacts.contact c WHERE c.list_id = $1 AND c.seq > $2 AND ${audienceCondition(filters, 'c', params)} ORDER BY c.seq LIMIT $3`,
      params,
    );
    // Counted once, with the first page: the audience size and the contacts the filters leave out.
    const split = dto.after === undefined ? await countAudience(sql, listId, filters) : undefined;
    const contacts: AudienceContact[] = rows.map((r) => {
      const message = messageOf({ config: { sms: dto.sms, email: dto.email } }, r.data);
      return 'invalid' in message ? { contactId: r.id, invalidAddress: message.invalid } : { contactId: r.id, address: message.address, data: r.data };
    });
    return { total: split?.matching, contacts, filteredOut: split?.filteredOut ?? 0, next: rows.length === limit ? rows[rows.length - 1]!.seq : null };
  }
}
