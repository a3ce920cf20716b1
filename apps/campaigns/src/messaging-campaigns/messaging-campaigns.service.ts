import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CampaignStatus, CampaignStatusChangedV1, EventEnvelope, HOME_DIVISION, Topic } from '@herald/contracts';
import { EventPublisher } from '@herald/messaging';
import { DomainError, NotFoundError, VersionConflictError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { MessagingCampaignDto } from './dtos/messaging-campaign.dto';
import { normalizeEmailAddress } from '@herald/channels';
import { emailDispatchConfigOf, emailSendingErrors } from './email-sending';
import { MessagingCampaignEntity, StoredEmailConfig, StoredSmsConfig } from './messaging-campaign.entity';
import { ReferencesClient } from './references.client';
import { listingOf, Page } from '@herald/persistence';


/** Status changes a client may ask for, from each status (Genesys semantics). */
const ALLOWED: Record<CampaignStatus, CampaignStatus[]> = {
  off: ['on', 'off'],
  on: ['off', 'on', 'stopping'],
  stopping: ['off', 'stopping'],
  complete: ['complete', 'off'],
  invalid: ['off', 'invalid'],
};

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

/** `local@domain` normalised (domain lower-cased), or a 400 naming the field. */
function emailAddress(local: string, domain: string, field: string): { local: string; domain: string } {
  const r = normalizeEmailAddress(`${local}@${domain}`);
  if (!r.ok) throw new DomainError('bad.request', `${field} is not a valid email address: ${r.reason}`, 400, [{ field, reason: r.reason }]);
  return { local, domain: r.domain };
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
      division: { id: c.division, selfUri: `/api/v2/authorization/divisions/${c.division}` },
      campaignStatus: c.status,
      contactList: { id: c.contactListId, selfUri: `/api/v2/outbound/contactlists/${c.contactListId}` },
      dncLists: c.dncListIds.map((id) => ({ id, selfUri: `/api/v2/outbound/dnclists/${id}` })),
      alwaysRunning: c.alwaysRunning,
      messagesPerMinute: c.messagesPerMinute,
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

  /** Refuses a campaign whose references do not hold together. */
  private async check(dto: MessagingCampaignDto): Promise<void> {
    if (dto.smsConfig && dto.emailConfig) throw new DomainError('campaign.channel.ambiguous', 'a campaign has either smsConfig or emailConfig, not both', 400);
    if (dto.emailConfig) return this.checkEmail(dto);
    const sms = dto.smsConfig;
    if (!sms) throw new DomainError('campaign.channel.missing', 'smsConfig or emailConfig is required', 400);
    if (!sms.contentTemplate && !sms.messageColumn) {
      throw new DomainError('campaign.sms.content.missing', 'smsConfig needs a contentTemplate or a messageColumn', 400);
    }
    const list = await this.references.contactList(dto.contactList.id);
    if (!list) throw new DomainError('campaign.contact.list.not.found', `contact list ${dto.contactList.id} does not exist`, 400);
    if (!list.columnNames.includes(sms.phoneColumn)) {
      throw new DomainError('campaign.phone.column.unknown', `phoneColumn "${sms.phoneColumn}" is not a column of contact list ${list.id}`, 400);
    }
    if (sms.messageColumn && !list.columnNames.includes(sms.messageColumn)) {
      throw new DomainError('campaign.message.column.unknown', `messageColumn "${sms.messageColumn}" is not a column of contact list ${list.id}`, 400);
    }
    if (sms.contentTemplate) {
      const template = await this.references.template(sms.contentTemplate.id);
      if (!template) throw new DomainError('campaign.template.not.found', `template ${sms.contentTemplate.id} does not exist`, 400);
    }
    await this.checkDncLists(dto);
  }

  /** An email campaign: its columns are the list's, its template an email template. */
  private async checkEmail(dto: MessagingCampaignDto): Promise<void> {
    const email = dto.emailConfig!;
    const list = await this.references.contactList(dto.contactList.id);
    if (!list) throw new DomainError('campaign.contact.list.not.found', `contact list ${dto.contactList.id} does not exist`, 400);
    const unknown = email.emailColumns.filter((c) => !list.columnNames.includes(c));
    if (unknown.length) {
      throw new DomainError('campaign.email.column.unknown', `emailColumns ${unknown.map((c) => `"${c}"`).join(', ')} ${unknown.length > 1 ? 'are not columns' : 'is not a column'} of contact list ${list.id}`, 400);
    }
    const template = await this.references.template(email.contentTemplate.id);
    if (!template) throw new DomainError('campaign.template.not.found', `template ${email.contentTemplate.id} does not exist`, 400);
    if (template.responseType !== 'CampaignEmailTemplate') {
      throw new DomainError('campaign.template.not.email', `template ${email.contentTemplate.id} is a ${template.responseType}; an email campaign needs a CampaignEmailTemplate`, 400);
    }
    await this.checkDncLists(dto);
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

  /** A campaign must not silently run without a DNC list it names. */
  private async checkDncLists(dto: MessagingCampaignDto): Promise<void> {
    const ids = [...new Set((dto.dncLists ?? []).map((d) => d.id))];
    const found = await Promise.all(ids.map((id) => this.references.dncList(id)));
    const missing = ids.filter((_, i) => !found[i]);
    if (missing.length) {
      throw new DomainError('campaign.dnc.list.not.found', `DNC list${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist`, 400, missing.map((id) => ({ entityId: id })));
    }
  }

  async create(dto: MessagingCampaignDto) {
    const emailConfig = this.emailConfigOf(dto);
    await this.check(dto);
    // Problems that make the campaign `invalid` (kept, shown in `errors`, not started).
    const errors = await emailSendingErrors(emailConfig, this.references);
    const now = new Date();
    const entity: MessagingCampaignEntity = {
      id: randomUUID(),
      name: dto.name,
      division: HOME_DIVISION,
      status: errors.length ? 'invalid' : 'off',
      runId: randomUUID(),
      contactListId: dto.contactList.id,
      dncListIds: (dto.dncLists ?? []).map((d) => d.id),
      messagesPerMinute: dto.messagesPerMinute,
      alwaysRunning: dto.alwaysRunning ?? false,
      smsConfig: this.smsConfigOf(dto),
      emailConfig,
      errors,
      version: 1,
      dateCreated: now,
      dateModified: now,
    };
    await this.db.transaction(async (tx) => {
      try {
        await tx.getRepository(MessagingCampaignEntity).insert(entity);
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw new DomainError('campaign.name.taken', `a messaging campaign named "${dto.name}" already exists`, 409);
        throw e;
      }
      await tx.query('INSERT INTO campaigns.run_progress (run_id, campaign_id) VALUES ($1, $2)', [entity.runId, entity.id]);
      if (dto.campaignStatus === 'on' && !errors.length) await this.changeStatus(tx, entity, 'on');
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

  async get(id: string): Promise<MessagingCampaignEntity> {
    const c = await this.db.getRepository(MessagingCampaignEntity).findOneBy({ id, division: HOME_DIVISION });
    if (!c) throw new NotFoundError('messaging.campaign', id);
    return c;
  }

  async list(page: Page, name?: string) {
    const qb = this.db.getRepository(MessagingCampaignEntity).createQueryBuilder('c').where('c.division = :d', { d: HOME_DIVISION });
    if (name) qb.andWhere('c.name ILIKE :n', { n: `%${name.replace(/[%_]/g, '\\$&')}%` });
    return listingOf(qb.orderBy('c.name'), page, (rows) => rows.map((r) => this.toResource(r)));
  }

  async update(id: string, dto: MessagingCampaignDto) {
    if (dto.version === undefined) throw new DomainError('version.required', 'version is required to update a messaging campaign', 400);
    const current = await this.get(id);
    if (current.version !== dto.version) throw new VersionConflictError('messaging.campaign', id, dto.version, current.version);
    // An invalid campaign is re-checked on every update: once its errors are gone it is `off`.
    const from = current.status === 'invalid' ? 'off' : current.status;
    const requested = dto.campaignStatus === 'invalid' ? from : (dto.campaignStatus ?? from);
    if (!ALLOWED[from].includes(requested)) {
      throw new DomainError('campaign.status.transition', `a campaign that is ${current.status} cannot be set to ${requested}`, 400);
    }
    const nextSms = dto.smsConfig ? this.smsConfigOf(dto) : dto.emailConfig ? null : current.smsConfig;
    const nextEmail = dto.emailConfig ? this.emailConfigOf(dto) : dto.smsConfig ? null : current.emailConfig;
    const configChanged = dto.contactList.id !== current.contactListId || !sameSmsConfig(nextSms, current.smsConfig) || !sameEmailConfig(nextEmail, current.emailConfig);
    if (dto.smsConfig || dto.emailConfig) await this.check(dto);
    else await this.checkDncLists(dto);
    const errors = await emailSendingErrors(nextEmail, this.references);
    const target = errors.length ? 'invalid' : requested;
    if (configChanged && current.status === 'on' && target === 'on') {
      throw new DomainError('campaign.running', 'turn the campaign off before changing its contact list, SMS or email settings', 400);
    }
    const updated = await this.db.transaction(async (tx) => {
      const next: MessagingCampaignEntity = {
        ...current,
        name: dto.name,
        contactListId: dto.contactList.id,
        dncListIds: (dto.dncLists ?? []).map((d) => d.id),
        messagesPerMinute: dto.messagesPerMinute,
        alwaysRunning: dto.alwaysRunning ?? current.alwaysRunning,
        smsConfig: nextSms,
        emailConfig: nextEmail,
        errors,
        version: current.version + 1,
        dateModified: new Date(),
      };
      const { id: _id, status: _status, ...fields } = next;
      const r = await tx
        .createQueryBuilder()
        .update(MessagingCampaignEntity)
        .set(fields)
        .where('id = :id AND version = :v', { id, v: current.version })
        .execute();
      if (r.affected !== 1) throw new VersionConflictError('messaging.campaign', id, dto.version!, current.version + 1);
      if (target !== current.status || target === 'on') await this.changeStatus(tx, next, target);
      return next;
    });
    return this.toResource(updated);
  }

  async remove(id: string): Promise<void> {
    const c = await this.get(id);
    if (c.status === 'on' || c.status === 'stopping') throw new DomainError('campaign.running', 'turn the campaign off before deleting it', 400);
    await this.db.getRepository(MessagingCampaignEntity).delete({ id });
  }

  /** DELETE …/progress: recycles the campaign, so that a new run starts with the whole list again. */
  async recycle(id: string): Promise<void> {
    const c = await this.get(id);
    if (c.status === 'on' || c.status === 'stopping') throw new DomainError('campaign.running', 'turn the campaign off before resetting its progress', 400);
    await this.db.transaction(async (tx) => {
      const runId = randomUUID();
      await tx.query(`UPDATE campaigns.messaging_campaign SET run_id = $2, status = 'off', version = version + 1, date_modified = now() WHERE id = $1`, [id, runId]);
      await tx.query('INSERT INTO campaigns.run_progress (run_id, campaign_id) VALUES ($1, $2)', [runId, id]);
      await this.changeStatus(tx, { ...c, runId, status: 'off' }, 'off');
    });
  }

  /** Writes the status and tells the other services, in one transaction: if Kafka refuses, nothing changes. */
  async changeStatus(tx: EntityManager, c: MessagingCampaignEntity, status: CampaignStatus, causedBy?: EventEnvelope): Promise<void> {
    await tx.query('UPDATE campaigns.messaging_campaign SET status = $2 WHERE id = $1', [c.id, status]);
    c.status = status; // the caller answers with the campaign as it now is
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
    };
    await this.publisher.publish(Topic.CampaignLifecycle, [{ key: c.id, subject: c.id, data, causedBy }]);
    this.logger.log({ msg: 'campaign status changed', campaignId: c.id, runId: c.runId, status });
  }
}
