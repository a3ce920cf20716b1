import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { divisionRef, Divisions } from '@herald/auth';
import { listing, Page } from '@herald/persistence';
import { DomainError, NotFoundError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PhoneNumberQuery, SmsPhoneNumberProvisionDto } from './phone-number.dto';

interface PhoneNumberRow {
  id: string;
  division: string;
  phone_number: string;
  phone_number_type: string;
  country_code: string;
  name: string | null;
  version: number;
  date_created: Date;
  date_modified: Date;
}

const BASE = '/api/v2/routing/sms/phonenumbers';

/** A `phoneNumber` query value as a LIKE pattern: `+…` exact, digits anywhere, `*` any digits. */
export function phoneNumberPattern(query: string): string {
  if (query.startsWith('+')) return query;
  const escaped = query.replace(/[%_\\]/g, '\\$&').replace(/\*/g, '%');
  return query.includes('*') ? `+${escaped.replace(/^\+/, '')}` : `%${escaped}%`;
}

/**
 * The sender numbers Herald may send SMS from (Genesys `/api/v2/routing/sms/phonenumbers`).
 * Locally, provisioning succeeds at once: there is no carrier to ask.
 */
@Injectable()
export class PhoneNumbersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private toResource(r: PhoneNumberRow) {
    return {
      id: r.id,
      name: r.name ?? r.phone_number,
      phoneNumber: r.phone_number,
      /** Herald: the division the number belongs to. */
      division: divisionRef(r.division),
      phoneNumberType: r.phone_number_type,
      provisionedThroughPureCloud: false,
      phoneNumberStatus: 'active',
      capabilities: ['sms'],
      countryCode: r.country_code,
      dateCreated: r.date_created.toISOString(),
      dateModified: r.date_modified.toISOString(),
      version: r.version,
      provisioningStatus: { action: 'Create', state: 'Completed', version: r.version },
      supportsSms: true,
      supportsMms: false,
      supportsVoice: false,
      selfUri: `${BASE}/${r.id}`,
    };
  }

  async provision(dto: SmsPhoneNumberProvisionDto, divisions: Divisions) {
    const division = await divisions.target(dto.division?.id);
    const [row]: PhoneNumberRow[] = await this.db.query(
      `INSERT INTO sms.phone_number (id, division, phone_number, phone_number_type, country_code, name)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *`,
      [randomUUID(), division, dto.phoneNumber, dto.phoneNumberType, dto.countryCode, dto.name ?? null],
    );
    if (!row) throw new DomainError('sms.phone.number.exists', `${dto.phoneNumber} is already provisioned`, 409, [{ field: 'phoneNumber' }]);
    return this.toResource(row);
  }

  async list(page: Page, q: PhoneNumberQuery, divisions: Divisions) {
    const where = ['true'];
    const params: unknown[] = [];
    const visible = divisions.visible(q.divisionId);
    if (visible) {
      params.push(visible);
      where.push(`division = ANY($${params.length})`);
    }
    if (q.phoneNumber) {
      params.push(phoneNumberPattern(q.phoneNumber));
      where.push(q.phoneNumber.startsWith('+') ? `phone_number = $${params.length}` : `phone_number LIKE $${params.length}`);
    }
    const arrayOf = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : v.split(','));
    for (const [column, values] of [['phone_number_type', arrayOf(q.phoneNumberType)], ['country_code', arrayOf(q.countryCode)]] as const) {
      if (!values.length) continue;
      params.push(values);
      where.push(`${column} = ANY($${params.length})`);
    }
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM sms.phone_number WHERE ${where.join(' AND ')}`, params);
    const rows: PhoneNumberRow[] = await this.db.query(
      `SELECT * FROM sms.phone_number WHERE ${where.join(' AND ')} ORDER BY phone_number LIMIT ${page.pageSize} OFFSET ${(page.pageNumber - 1) * page.pageSize}`,
      params,
    );
    return listing(rows.map((r) => this.toResource(r)), page, total);
  }

  /** Another division's number is as absent as a missing one. */
  async get(id: string, divisions: Divisions) {
    const [row]: PhoneNumberRow[] = await this.db.query('SELECT * FROM sms.phone_number WHERE id = $1', [id]);
    if (!row || !divisions.has(row.division)) throw new NotFoundError('sms.phone.number', id);
    return this.toResource(row);
  }

  async remove(id: string, divisions: Divisions): Promise<void> {
    await this.get(id, divisions);
    const [, affected] = await this.db.query('DELETE FROM sms.phone_number WHERE id = $1', [id]);
    if (!affected) throw new NotFoundError('sms.phone.number', id);
  }
}
