import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ALL_DIVISIONS, divisionRef, Divisions } from '@herald/auth';
import { CampaignStatus, CampaignStatusChangedV1, ContactSortV1, EventEnvelope, Topic } from '@herald/contracts';
import { EventPublisher } from '@herald/messaging';
import { DomainError, NotFoundError, VersionConflictError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { MessagingCampaignDto } from './dtos/messaging-campaign.dto';
import { normalizeEmailAddress } from '@herald/channels';
import { emailDispatchConfigOf } from './email-sending';
import { MessagingCampaignEntity, StoredEmailConfig, StoredSmsConfig } from './messaging-campaign.entity';
import { ReferencesClient } from './references.client';
import { listingOf, Page } from '@herald/persistence';
import { campaignInvalid, nextStatus } from './campaign-status';
import { CampaignError, campaignErrors, ValidityContext } from './campaign-validity';

export const MAX_CONTACT_SORTS = 4;

/** Field by field: jsonb does not keep key order, so serialised forms cannot be compared. */
function sameSmsConfig(a: StoredSmsConfig | null, b: StoredSmsConfig | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.phoneColumn === b.phoneColumn &&
    (a.messageColumn ?? null) === (b.messageColumn ?? null) &&
    a.senderSmsPhoneNumber === b.senderSmsPhoneNumber &&
    (a.contentTemplateId ?? null) === (b.contentTemplateId ?? null)
  );
}

function sameEmailConfig(a: StoredEmailConfig | null, b: StoredEmailConfig | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.emailColumns.join('\n') === b.emailColumns.join('\n') &&
    a.contentTemplateId === b.contentTemplateId &&
    a.fromDomain === b.fromDomain &&
    a.fromLocalPart === b.fromLocalPart &&
    (a.fromName ?? null) === (b.fromName ?? null) &&
    (a.replyToDomain ?? null) === (b.replyToDomain ?? null) &&
    (a.replyToLocalPart ?? null) === (b.replyToLocalPart ?? null)
  );
}

/** What a campaign names, saved or about to be: what its checks look at. */
type CampaignDraft = Pick<MessagingCampaignEntity, 'contactListId' | 'smsConfig' | 'emailConfig' | 'contactSorts' | 'contactListFilterIds' | 'dncListIds'>;

/** `local@domain` normalised (domain lower-cased), or a 400 naming the field. */
function emailAddress(local: string, domain: string, field: string): { local: string; domain: string } {
  const r = normalizeEmailAddress(`${local}@${domain}`);
  if (!r.ok) throw new DomainError('bad.request', `${field} is not a valid email address: ${r.reason}`, 400, [{ field, reason: r.reason }]);
  return { local, domain: r.domain };
}

/** A unique-name violation (names are unique per division, case-insensitively) as 409; anything else as it is. */
function nameTakenOr(e: unknown, name: string, division: string): unknown {
  if ((e as { code?: string }).code !== '23505') return e;
  return new DomainError('campaign.name.taken', `a messaging campaign named "${name}" already exists in division ${division}`, 409);
}

@Injectable()
export class MessagingCampaignsService {
  private readonly logger = new Logger(MessagingCampaignsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    private readonly references: ReferencesClient,
  ) {}

  toResource(c: MessagingCampaignEntity) {
    return {
      id: c.id,
      name: c.name,
      dateCreated: c.dateCreated.toISOString(),
      dateModified: c.dateModified.toISOString(),
      version: c.version,
      division: divisionRef(c.division),
      campaignStatus: c.status,
      contactList: { id: c.contactListId, selfUri: `/api/v2/outbound/contactlists/${c.contactListId}` },
      dncLists: c.dncListIds.map((id) => ({ id, selfUri: `/api/v2/outbound/dnclists/${id}` })),
      alwaysRunning: c.alwaysRunning,
      messagesPerMinute: c.messagesPerMinute,
      contactSorts: c.contactSorts,
      contactListFilters: c.contactListFilterIds.map((id) => ({ id, selfUri: `/api/v2/outbound/contactlistfilters/${id}` })),
      errors: c.errors,
      smsConfig: c.smsConfig
        ? {
            phoneColumn: c.smsConfig.phoneColumn,
            messageColumn: c.smsConfig.messageColumn,
            senderSmsPhoneNumber: { phoneNumber: c.smsConfig.senderSmsPhoneNumber },
            contentTemplate: c.smsConfig.contentTemplateId
              ? { id: c.smsConfig.contentTemplateId, selfUri: `/api/v2/responsemanagement/responses/${c.smsConfig.contentTemplateId}` }
              : undefined,
          }
        : undefined,
      emailConfig: c.emailConfig
        ? {
            emailColumns: c.emailConfig.emailColumns,
            contentTemplate: { id: c.emailConfig.contentTemplateId, selfUri: `/api/v2/responsemanagement/responses/${c.emailConfig.contentTemplateId}` },
            fromAddress: {
              domain: { id: c.emailConfig.fromDomain, selfUri: `/api/v2/routing/email/outbound/domains/${c.emailConfig.fromDomain}` },
              localPart: c.emailConfig.fromLocalPart,
              friendlyName: c.emailConfig.fromName,
            },
            replyToAddress:
              c.emailConfig.replyToDomain && c.emailConfig.replyToLocalPart
                ? { domain: { id: c.emailConfig.replyToDomain }, route: { name: c.emailConfig.replyToLocalPart } }
                : undefined,
          }
        : undefined,
      selfUri: `/api/v2/outbound/messagingcampaigns/${c.id}`,
    };
  }

  /**
   * Refuses (400) a campaign whose references do not exist or whose sorts and filters do not fit
   * its contact list; answers what the validity check needs to decide whether it is `invalid`.
   */
  private async check(draft: CampaignDraft): Promise<ValidityContext> {
    const { smsConfig: sms, emailConfig: email } = draft;
    if (sms && email) throw new DomainError('campaign.channel.ambiguous', 'a campaign has either smsConfig or emailConfig, not both', 400);
    if (email) return this.checkEmail(draft, email);
    if (!sms) throw new DomainError('campaign.channel.missing', 'smsConfig or emailConfig is required', 400);
    if (!sms.contentTemplateId && !sms.messageColumn) {
      throw new DomainError('campaign.sms.content.missing', 'smsConfig needs a contentTemplate or a messageColumn', 400);
    }
    // The contact list first: a caller who may not read it learns that, whatever else is wrong.
    const contactList = await this.references.contactList(draft.contactListId);
    const [template, senderProvisioned] = await Promise.all([
      sms.contentTemplateId ? this.references.template(sms.contentTemplateId) : undefined,
      this.references.senderProvisioned(sms.senderSmsPhoneNumber),
    ]);
    if (!contactList) throw new DomainError('campaign.contact.list.not.found', `contact list ${draft.contactListId} does not exist`, 400);
    if (sms.contentTemplateId && !template) throw new DomainError('campaign.template.not.found', `template ${sms.contentTemplateId} does not exist`, 400);
    this.checkSorts(draft.contactSorts, contactList.columnNames);
    await this.checkFilters(draft);
    await this.checkDncLists(draft);
    return { contactList, sms, email: null, template, senderProvisioned };
  }

  /** An email campaign: its columns are the list's, its template an email template; its sending domain is looked up for validity. */
  private async checkEmail(draft: CampaignDraft, email: StoredEmailConfig): Promise<ValidityContext> {
    const contactList = await this.references.contactList(draft.contactListId);
    const [template, sendingDomain] = await Promise.all([this.references.template(email.contentTemplateId), this.references.sendingDomain(email.fromDomain)]);
    if (!contactList) throw new DomainError('campaign.contact.list.not.found', `contact list ${draft.contactListId} does not exist`, 400);
    const unknown = email.emailColumns.filter((c) => !contactList.columnNames.includes(c));
    if (unknown.length) {
      throw new DomainError('campaign.email.column.unknown', `emailColumns ${unknown.map((c) => `"${c}"`).join(', ')} ${unknown.length > 1 ? 'are not columns' : 'is not a column'} of contact list ${contactList.id}`, 400);
    }
    if (!template) throw new DomainError('campaign.template.not.found', `template ${email.contentTemplateId} does not exist`, 400);
    if (template.responseType !== 'CampaignEmailTemplate') {
      throw new DomainError('campaign.template.not.email', `template ${email.contentTemplateId} is a ${template.responseType}; an email campaign needs a CampaignEmailTemplate`, 400);
    }
    this.checkSorts(draft.contactSorts, contactList.columnNames);
    await this.checkFilters(draft);
    await this.checkDncLists(draft);
    return { contactList, sms: null, email, template, sendingDomain: sendingDomain ?? null };
  }

  private emailConfigOf(dto: MessagingCampaignDto): StoredEmailConfig | null {
    const email = dto.emailConfig;
    if (!email) return null;
    const from = emailAddress(email.fromAddress.localPart, email.fromAddress.domain.id, 'emailConfig.fromAddress');
    const replyTo = email.replyToAddress && emailAddress(email.replyToAddress.route.name, email.replyToAddress.domain.id, 'emailConfig.replyToAddress');
    return {
      emailColumns: email.emailColumns,
      contentTemplateId: email.contentTemplate.id,
      fromDomain: from.domain,
      fromLocalPart: from.local,
      fromName: email.fromAddress.friendlyName,
      replyToDomain: replyTo?.domain,
      replyToLocalPart: replyTo?.local,
    };
  }

  private sortsOf(dto: MessagingCampaignDto): ContactSortV1[] {
    return (dto.contactSorts ?? []).map((s) => ({ fieldName: s.fieldName, direction: s.direction ?? 'ASC', numeric: s.numeric ?? false }));
  }

  private checkSorts(sorts: ContactSortV1[], columns: string[]): void {
    if (sorts.length > MAX_CONTACT_SORTS) {
      throw new DomainError('campaign.contact.sorts.too.many', `contactSorts: at most ${MAX_CONTACT_SORTS} sorts; got ${sorts.length}`, 400, [{ field: 'contactSorts' }]);
    }
    const bad = sorts.findIndex((s) => !columns.includes(s.fieldName));
    if (bad >= 0) {
      const field = `contactSorts[${bad}].fieldName`;
      throw new DomainError('campaign.contact.sort.column.unknown', `${field}: "${sorts[bad]!.fieldName}" is not a column of the contact list`, 400, [{ field }]);
    }
  }

  /** Each filter must exist and filter the campaign's own contact list. */
  private async checkFilters(draft: CampaignDraft): Promise<void> {
    const ids = draft.contactListFilterIds;
    const found = await Promise.all(ids.map((id) => this.references.contactListFilter(id)));
    ids.forEach((id, i) => {
      const field = `contactListFilters[${i}].id`;
      if (!found[i]) throw new DomainError('campaign.contact.list.filter.not.found', `${field}: contact list filter ${id} does not exist`, 400, [{ field, entityId: id }]);
      if (found[i]!.contactList.id !== draft.contactListId) {
        throw new DomainError('campaign.contact.list.filter.mismatch', `${field}: contact list filter ${id} filters another contact list`, 400, [{ field, entityId: id }]);
      }
    });
  }

  /** A campaign must not silently run without a DNC list it names. */
  private async checkDncLists(draft: CampaignDraft): Promise<void> {
    const ids = [...new Set(draft.dncListIds)];
    const found = await Promise.all(ids.map((id) => this.references.dncList(id)));
    const missing = ids.filter((_, i) => !found[i]);
    if (missing.length) {
      throw new DomainError('campaign.dnc.list.not.found', `DNC list${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist`, 400, missing.map((id) => ({ entityId: id })));
    }
  }

  /** The draft a request body describes. */
  private draftOf(dto: MessagingCampaignDto, sms: StoredSmsConfig | null, email: StoredEmailConfig | null): CampaignDraft {
    return {
      contactListId: dto.contactList.id,
      smsConfig: sms,
      emailConfig: email,
      contactSorts: this.sortsOf(dto),
      contactListFilterIds: (dto.contactListFilters ?? []).map((f) => f.id),
      dncListIds: (dto.dncLists ?? []).map((d) => d.id),
    };
  }

  async create(dto: MessagingCampaignDto, divisions: Divisions) {
    const division = await divisions.target(dto.division?.id);
    const draft = this.draftOf(dto, this.smsConfigOf(dto), this.emailConfigOf(dto));
    const errors = campaignErrors(await this.check(draft));
    const status = nextStatus('off', dto.campaignStatus ?? 'off', errors);
    // Asked to start with errors: refused, and nothing is created.
    if (dto.campaignStatus === 'on' && errors.length) throw campaignInvalid(errors);
    const now = new Date();
    const entity: MessagingCampaignEntity = {
      id: randomUUID(),
      name: dto.name,
      division,
      status: status === 'on' ? 'off' : status,
      runId: randomUUID(),
      ...draft,
      messagesPerMinute: dto.messagesPerMinute,
      alwaysRunning: dto.alwaysRunning ?? false,
      errors,
      stoppingSince: null,
      version: 1,
      dateCreated: now,
      dateModified: now,
    };
    await this.db.transaction(async (tx) => {
      try {
        await tx.getRepository(MessagingCampaignEntity).insert(entity);
      } catch (e) {
        throw nameTakenOr(e, dto.name, division);
      }
      await tx.query('INSERT INTO campaigns.run_progress (run_id, campaign_id) VALUES ($1, $2)', [entity.runId, entity.id]);
      if (status === 'on') {
        await this.changeStatus(tx, entity, 'on');
        entity.status = 'on';
      }
    });
    return this.toResource(entity);
  }

  private smsConfigOf(dto: MessagingCampaignDto): StoredSmsConfig | null {
    const sms = dto.smsConfig;
    if (!sms) return null;
    return {
      phoneColumn: sms.phoneColumn,
      // The SDK's SmsConfig requires messageColumn; an empty one means "use the template".
      messageColumn: sms.messageColumn || undefined,
      senderSmsPhoneNumber: sms.senderSmsPhoneNumber.phoneNumber,
      contentTemplateId: sms.contentTemplate?.id,
    };
  }

  /** The campaign, if the caller's divisions hold it; another division's campaign is as absent as a missing one. */
  async get(id: string, divisions: Divisions): Promise<MessagingCampaignEntity> {
    const c = await this.db.getRepository(MessagingCampaignEntity).findOneBy({ id });
    if (!c || !divisions.has(c.division)) throw new NotFoundError('messaging.campaign', id);
    return c;
  }

  async list(page: Page, divisions: Divisions, q: { name?: string; divisionId?: string | string[] }) {
    const { name } = q;
    const qb = this.db.getRepository(MessagingCampaignEntity).createQueryBuilder('c');
    const visible = divisions.visible(q.divisionId);
    if (visible) qb.where('c.division = ANY(:visible)', { visible });
    if (name) qb.andWhere('c.name ILIKE :n', { n: `%${name.replace(/[%_]/g, '\\$&')}%` });
    return listingOf(qb.orderBy('c.name'), page, (rows) => rows.map((r) => this.toResource(r)));
  }

  /**
   * A save: re-evaluates the campaign's validity, then applies the status it leads to (nextStatus).
   * Turning a campaign on is a save, so whatever changed since the last one (a sender number
   * deleted, a template edited, a sending domain removed) is seen then: a campaign with errors is
   * saved `invalid`, with them, and the request is refused (409 `campaign.invalid`).
   */
  async update(id: string, dto: MessagingCampaignDto, divisions: Divisions) {
    if (dto.version === undefined) throw new DomainError('version.required', 'version is required to update a messaging campaign', 400);
    const current = await this.get(id, divisions);
    const division = await divisions.target(dto.division?.id, current.division);
    if (current.version !== dto.version) throw new VersionConflictError('messaging.campaign', id, dto.version, current.version);
    const nextSms = dto.smsConfig ? this.smsConfigOf(dto) : dto.emailConfig ? null : current.smsConfig;
    const nextEmail = dto.emailConfig ? this.emailConfigOf(dto) : dto.smsConfig ? null : current.emailConfig;
    const draft = this.draftOf(dto, nextSms, nextEmail);
    const configChanged =
      division !== current.division ||
      draft.contactListId !== current.contactListId ||
      !sameSmsConfig(nextSms, current.smsConfig) ||
      !sameEmailConfig(nextEmail, current.emailConfig) ||
      JSON.stringify(draft.contactSorts) !== JSON.stringify(current.contactSorts) ||
      JSON.stringify(draft.contactListFilterIds) !== JSON.stringify(current.contactListFilterIds);
    const errors = await this.errorsOf(draft, !configChanged && JSON.stringify(draft.dncListIds) === JSON.stringify(current.dncListIds));
    const requested = dto.campaignStatus ?? current.status;
    const target = nextStatus(current.status, requested, errors);
    if (configChanged && (current.status === 'on' || current.status === 'stopping') && target !== 'off') {
      throw new DomainError('campaign.running', 'turn the campaign off before changing its division, contact list, sorts, filters, SMS or email settings', 400);
    }
    const updated = await this.db.transaction(async (tx) => {
      const next: MessagingCampaignEntity = {
        ...current,
        ...draft,
        division,
        name: dto.name,
        messagesPerMinute: dto.messagesPerMinute,
        alwaysRunning: dto.alwaysRunning ?? current.alwaysRunning,
        errors,
        version: current.version + 1,
        dateModified: new Date(),
      };
      const { id: _id, status: _status, stoppingSince: _since, ...fields } = next;
      const r = await tx
        .createQueryBuilder()
        .update(MessagingCampaignEntity)
        .set(fields)
        .where('id = :id AND version = :v', { id, v: current.version })
        .execute()
        .catch((e: unknown) => {
          // A rename, or a move into a division, where the name is taken.
          throw nameTakenOr(e, dto.name, division);
        });
      if (r.affected !== 1) throw new VersionConflictError('messaging.campaign', id, dto.version!, current.version + 1);
      if (target !== current.status || target === 'on') await this.changeStatus(tx, next, target);
      return { ...next, status: target };
    });
    if (requested === 'on' && target === 'invalid') throw campaignInvalid(errors);
    return this.toResource(updated);
  }

  /**
   * The errors of a campaign to be saved. Where it names what the stored campaign already named
   * (`asStored`), a reference that has gone since (a contact list, template, DNC list or filter
   * deleted; a column it uses removed), which a request naming it anew would get as 400, is an
   * error of the campaign instead: it is saved `invalid` with it.
   */
  private async errorsOf(draft: CampaignDraft, asStored: boolean): Promise<CampaignError[]> {
    try {
      return campaignErrors(await this.check(draft));
    } catch (e) {
      if (asStored && e instanceof DomainError && e.status === 400) return [{ error: e.code, details: e.message }];
      throw e;
    }
  }

  /**
   * Re-checks a running campaign (CampaignRevalidator, periodically): one whose prerequisite has
   * disappeared since it was saved stops as `invalid`, with its errors. Answers the errors found.
   */
  async revalidate(id: string): Promise<CampaignError[]> {
    // The service's own pass over every running campaign, whatever its division.
    const c = await this.get(id, new Divisions([ALL_DIVISIONS]));
    if (c.status !== 'on') return [];
    const errors = await this.errorsOf(c, true);
    if (errors.length === 0) return [];
    const stopped = await this.db.transaction(async (tx) => {
      const [locked] = await tx.getRepository(MessagingCampaignEntity).find({ where: { id }, lock: { mode: 'pessimistic_write' } });
      // Saved or settled meanwhile: the next pass looks at it as it is then.
      if (!locked || locked.status !== 'on' || locked.version !== c.version) return false;
      await tx.query('UPDATE campaigns.messaging_campaign SET errors = $2, version = version + 1, date_modified = now() WHERE id = $1', [id, JSON.stringify(errors)]);
      await this.changeStatus(tx, locked, 'invalid');
      return true;
    });
    if (stopped) this.logger.warn({ msg: 'running campaign is invalid; it stopped', campaignId: id, errors: errors.map((e) => e.error) });
    return stopped ? errors : [];
  }

  async remove(id: string, divisions: Divisions): Promise<void> {
    const c = await this.get(id, divisions);
    if (c.status === 'on' || c.status === 'stopping') throw new DomainError('campaign.running', 'turn the campaign off before deleting it', 400);
    await this.db.getRepository(MessagingCampaignEntity).delete({ id });
  }

  /** DELETE …/progress: recycles the campaign, so that a new run starts with the whole list again. */
  async recycle(id: string, divisions: Divisions): Promise<void> {
    const c = await this.get(id, divisions);
    if (c.status === 'on' || c.status === 'stopping') throw new DomainError('campaign.running', 'turn the campaign off before resetting its progress', 400);
    await this.db.transaction(async (tx) => {
      const runId = randomUUID();
      await tx.query(`UPDATE campaigns.messaging_campaign SET run_id = $2, status = 'off', version = version + 1, date_modified = now() WHERE id = $1`, [id, runId]);
      await tx.query('INSERT INTO campaigns.run_progress (run_id, campaign_id) VALUES ($1, $2)', [runId, id]);
      await this.changeStatus(tx, { ...c, runId, status: 'off' }, 'off');
    });
  }

  /**
   * One sender number serves one running campaign at a time (as in Genesys): turning a campaign
   * on while another `on` or `stopping` campaign uses its sender is refused. The advisory lock
   * makes two campaigns turned on at once with one sender see each other.
   */
  private async claimSender(tx: EntityManager, c: MessagingCampaignEntity): Promise<void> {
    const sender = c.smsConfig!.senderSmsPhoneNumber;
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`herald:sender:${sender}`]);
    const [other] = await tx.query(
      `SELECT id, name, status FROM campaigns.messaging_campaign
        WHERE sms_config->>'senderSmsPhoneNumber' = $1 AND status IN ('on', 'stopping') AND id <> $2 LIMIT 1`,
      [sender, c.id],
    );
    if (other) {
      throw new DomainError('campaign.sender.in.use', `sender ${sender} is in use by campaign ${other.id} ("${other.name}", ${other.status}); a sender number serves one running campaign at a time`, 409, [
        { field: 'smsConfig.senderSmsPhoneNumber', entityId: other.id },
      ]);
    }
  }

  /** Writes the status and tells the other services, in one transaction: if Kafka refuses, nothing changes. */
  async changeStatus(tx: EntityManager, c: MessagingCampaignEntity, status: CampaignStatus, causedBy?: EventEnvelope): Promise<void> {
    if (status === 'on' && c.smsConfig) await this.claimSender(tx, c);
    await tx.query(
      `UPDATE campaigns.messaging_campaign SET status = $2, stopping_since = CASE WHEN $2 = 'stopping' THEN coalesce(stopping_since, now()) END WHERE id = $1`,
      [c.id, status],
    );
    // Until contacts confirms it has stopped dispatching, a stopping run waits for it.
    if (status === 'on' || status === 'stopping') await tx.query('UPDATE campaigns.run_progress SET halted = false WHERE run_id = $1', [c.runId]);
    const data: CampaignStatusChangedV1 = {
      campaignId: c.id,
      runId: c.runId,
      division: c.division,
      status,
      channel: c.emailConfig ? 'email' : 'sms',
      contactListId: c.contactListId,
      messagesPerMinute: c.messagesPerMinute,
      alwaysRunning: c.alwaysRunning,
      dncListIds: c.dncListIds,
      sms: c.smsConfig ?? undefined,
      email: c.emailConfig ? emailDispatchConfigOf(c.emailConfig) : undefined,
      contactSorts: c.contactSorts,
      contactListFilterIds: c.contactListFilterIds,
    };
    await this.publisher.publish(Topic.CampaignLifecycle, [{ key: c.id, subject: c.id, data, causedBy }]);
    this.logger.log({ msg: 'campaign status changed', campaignId: c.id, runId: c.runId, status });
  }
}
