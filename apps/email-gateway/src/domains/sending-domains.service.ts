import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normalizeEmailAddress } from '@herald/channels';
import { divisionRef, Divisions } from '@herald/auth';
import { listing, Page } from '@herald/persistence';
import { DomainError } from '@herald/service';
import { DataSource } from 'typeorm';
import { DnsRecord, DOMAIN_VERIFIER, DomainIdentity, DomainVerifier } from './domain-verifier';
import { OutboundDomainCreateDto } from './dtos/outbound-domain.dto';

interface Row {
  id: string;
  division: string;
  sender_type: string;
  verified: boolean;
  dkim_status: string;
  dkim_records: DnsRecord[];
  date_created: Date;
  date_checked: Date;
}

/** A domain name as Herald stores it (lower case), or a 400 naming the field. */
export function domainName(raw: string, field = 'id'): string {
  const r = raw.includes('@') ? ({ ok: false, reason: 'a domain name has no @' } as const) : normalizeEmailAddress(`postmaster@${raw}`);
  if (!r.ok) throw new DomainError('bad.request', `${field} is not a domain name: ${r.reason}`, 400, [{ field, reason: r.reason }]);
  return r.domain;
}

/**
 * Sending domains (Genesys outbound domains). A campaign may send only from an address on a
 * domain that is provisioned here and verified for sending.
 */
@Injectable()
export class SendingDomainsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(DOMAIN_VERIFIER) private readonly verifier: DomainVerifier,
  ) {}

  /** Genesys `OutboundDomain`, plus Herald's `verifiedForSending`. */
  toResource(r: Row) {
    return {
      id: r.id,
      name: r.id,
      senderType: r.sender_type,
      /** Herald: the division the domain belongs to. */
      division: divisionRef(r.division),
      dkimVerificationResult: { status: r.dkim_status, records: r.dkim_records },
      /** Herald: whether campaigns may send from this domain now. */
      verifiedForSending: r.verified,
      dateChecked: r.date_checked.toISOString(),
      selfUri: `/api/v2/routing/email/outbound/domains/${encodeURIComponent(r.id)}`,
    };
  }

  async create(dto: OutboundDomainCreateDto, divisions: Divisions) {
    const id = domainName(dto.id);
    const division = await divisions.target(dto.division?.id);
    if (dto.name !== undefined && domainName(dto.name, 'name') !== id) {
      throw new DomainError('bad.request', 'name must be the domain name given as id', 400, [{ field: 'name', reason: 'differs from id' }]);
    }
    const [existing] = await this.db.query('SELECT 1 FROM email.sending_domain WHERE id = $1', [id]);
    if (existing) throw new DomainError('outbound.domain.exists', `outbound domain ${id} already exists`, 409);
    const identity = await this.verifier.create(id);
    const rows: Row[] = await this.db.query(
      `INSERT INTO email.sending_domain (id, division, sender_type, verified, dkim_status, dkim_records) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, division, dto.senderType ?? 'SES', identity.verified, identity.dkimStatus, JSON.stringify(identity.dkimRecords)],
    );
    if (!rows[0]) throw new DomainError('outbound.domain.exists', `outbound domain ${id} already exists`, 409);
    // Genesys `EmailOutboundDomainResult`.
    return { domainName: id, senderType: rows[0].sender_type, senderStatus: identity.dkimStatus, verifiedForSending: identity.verified };
  }

  /** The domain, its verification refreshed from the provider while it is not verified. */
  async get(raw: string, divisions: Divisions) {
    const id = domainName(raw, 'domainId');
    const [row]: Row[] = await this.db.query('SELECT * FROM email.sending_domain WHERE id = $1', [id]);
    // Another division's domain is as absent as a missing one.
    if (!row || !divisions.has(row.division)) throw new DomainError('outbound.domain.not.found', `outbound domain ${id} was not found`, 404, [{ entityId: id, entityName: 'outbound.domain' }]);
    if (row.verified || !this.verifier.checksProvider) return this.toResource(row);
    return this.toResource(await this.record(id, await this.verifier.check(id)));
  }

  private async record(id: string, identity: DomainIdentity): Promise<Row> {
    const [row]: Row[] = await this.db.query(
      `UPDATE email.sending_domain SET verified = $2, dkim_status = $3, dkim_records = $4, date_checked = now() WHERE id = $1 RETURNING *`,
      [id, identity.verified, identity.dkimStatus, JSON.stringify(identity.dkimRecords)],
    );
    return row!;
  }

  async list(page: Page, divisions: Divisions, q: { filter?: string; divisionId?: string | string[] }) {
    const params: unknown[] = [];
    const visible = divisions.visible(q.divisionId);
    const conditions = ['true'];
    if (visible) conditions.push(`division = ANY($${params.push(visible)})`);
    if (q.filter) conditions.push(`id LIKE $${params.push(`%${q.filter.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`)}`);
    const where = conditions.join(' AND ');
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM email.sending_domain WHERE ${where}`, params);
    const rows: Row[] = await this.db.query(
      `SELECT * FROM email.sending_domain WHERE ${where} ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.pageSize, (page.pageNumber - 1) * page.pageSize],
    );
    return listing(rows.map((r) => this.toResource(r)), page, total);
  }

  async remove(raw: string, divisions: Divisions): Promise<void> {
    const id = domainName(raw, 'domainId');
    const [row] = await this.db.query('SELECT division FROM email.sending_domain WHERE id = $1', [id]);
    if (!row || !divisions.has(row.division)) throw new DomainError('outbound.domain.not.found', `outbound domain ${id} was not found`, 404, [{ entityId: id, entityName: 'outbound.domain' }]);
    await this.verifier.remove(id);
    await this.db.query('DELETE FROM email.sending_domain WHERE id = $1', [id]);
  }
}
