import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Channel, ContactClearedV1, ContactDispatchedV1, DeliveryResultV1, resultFor, Topic } from '@herald/contracts';
import { ConsumedEvent, EventPublisher, OutgoingEvent } from '@herald/messaging';
import { DataSource } from 'typeorm';

/** Phone numbers are compared in E.164 (as dispatched); email addresses case-insensitively. */
export function comparableAddress(channel: string, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}

/** One address to check, with the DNC lists of its campaign. */
export interface FilterCandidate {
  channel: Channel;
  address: string;
  dncListIds: string[];
}

export type FilterDecision =
  | { cleared: true }
  | { cleared: false; reason: 'suppressed'; detail: string }
  | { cleared: false; reason: 'dnc'; dncListId: string; detail: string };

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

  /**
   * The decision for each candidate, in order: suppression wins over DNC lists. The one place that
   * matches addresses, for the filter stage and the pre-launch preview (`POST /internal/dnc/check`).
   */
  async decide(candidates: FilterCandidate[]): Promise<FilterDecision[]> {
    if (candidates.length === 0) return [];
    const addresses = [...new Set(candidates.map((c) => comparableAddress(c.channel, c.address)))];
    const listIds = [...new Set(candidates.flatMap((c) => c.dncListIds))];
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
    return candidates.map((c): FilterDecision => {
      const address = comparableAddress(c.channel, c.address);
      const reason = suppression.get(`${c.channel}|${address}`);
      if (reason !== undefined) return { cleared: false, reason: 'suppressed', detail: `address is globally suppressed (${reason})` };
      // The first of the campaign's lists that holds the address: the same answer however the rows come back.
      const holding = onList.get(address) ?? [];
      const dncList = c.dncListIds.find((id) => holding.includes(id));
      if (dncList) return { cleared: false, reason: 'dnc', dncListId: dncList, detail: `address is on DNC list ${dncList}` };
      return { cleared: true };
    });
  }

  async filter(events: ConsumedEvent<ContactDispatchedV1>[]): Promise<void> {
    const decisions = await this.decide(events.map((e) => e.data));
    const cleared: OutgoingEvent<ContactClearedV1>[] = [];
    const skipped: OutgoingEvent<DeliveryResultV1>[] = [];
    events.forEach(({ data, envelope }, i) => {
      const d = decisions[i]!;
      if (d.cleared) cleared.push({ key: data.messageId, subject: data.messageId, causedBy: envelope, type: ContactClearedV1.type, data });
      else {
        const details = d.reason === 'dnc' ? { reason: d.reason, dncListId: d.dncListId, detail: d.detail } : { reason: d.reason, detail: d.detail };
        skipped.push({ key: data.messageId, causedBy: envelope, data: resultFor(data, 'skipped', details) });
      }
    });
    await this.publisher.publishAll([
      { topic: Topic.ContactCleared, events: cleared },
      { topic: Topic.DeliveryResult, events: skipped },
    ]);
  }
}
