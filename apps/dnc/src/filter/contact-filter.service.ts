import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ContactClearedV1, ContactDispatchedV1, DeliveryResultV1, resultFor, Topic } from '@herald/contracts';
import { ConsumedEvent, EventPublisher, OutgoingEvent } from '@herald/messaging';
import { DataSource } from 'typeorm';

/** Phone numbers are compared in E.164 (as dispatched); email addresses case-insensitively. */
export function comparableAddress(channel: string, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}

/**
 * The filter stage: every dispatched contact is checked against the campaign's DNC lists and the
 * global suppression, one round trip per batch. A contact that may be messaged goes on as
 * `cleared`; one that may not gets its terminal `skipped` result with the reason and the list.
 */
@Injectable()
export class ContactFilterService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: EventPublisher,
  ) {}

  async filter(events: ConsumedEvent<ContactDispatchedV1>[]): Promise<void> {
    const addresses = [...new Set(events.map((e) => comparableAddress(e.data.channel, e.data.address)))];
    const listIds = [...new Set(events.flatMap((e) => e.data.dncListIds))];
    const [suppressed, listed]: [{ channel: string; address: string; reason: string }[], { list_id: string; address: string }[]] = await Promise.all([
      this.db.query('SELECT channel, address, reason FROM dnc.suppression WHERE address = ANY($1)', [addresses]),
      listIds.length
        ? this.db.query(
            `SELECT list_id, address FROM dnc.dnc_entry
              WHERE address = ANY($1) AND list_id = ANY($2) AND (expires_at IS NULL OR expires_at > now())`,
            [addresses, listIds],
          )
        : Promise.resolve([]),
    ]);
    const suppression = new Map(suppressed.map((s) => [`${s.channel}|${s.address}`, s.reason]));
    const onList = new Map<string, string[]>();
    for (const l of listed) onList.set(l.address, [...(onList.get(l.address) ?? []), l.list_id]);

    const cleared: OutgoingEvent<ContactClearedV1>[] = [];
    const skipped: OutgoingEvent<DeliveryResultV1>[] = [];
    for (const { data, envelope } of events) {
      const address = comparableAddress(data.channel, data.address);
      const reason = suppression.get(`${data.channel}|${address}`);
      const dncList = (onList.get(address) ?? []).find((id) => data.dncListIds.includes(id));
      if (reason !== undefined) {
        skipped.push({ key: data.messageId, causedBy: envelope, data: resultFor(data, 'skipped', { reason: 'suppressed', detail: `address is globally suppressed (${reason})` }) });
      } else if (dncList) {
        skipped.push({ key: data.messageId, causedBy: envelope, data: resultFor(data, 'skipped', { reason: 'dnc', dncListId: dncList, detail: `address is on DNC list ${dncList}` }) });
      } else {
        cleared.push({ key: data.messageId, subject: data.messageId, causedBy: envelope, type: ContactClearedV1.type, data });
      }
    }
    await this.publisher.publishAll([
      { topic: Topic.ContactCleared, events: cleared },
      { topic: Topic.DeliveryResult, events: skipped },
    ]);
  }
}
