import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentlessResponse } from './agentless-response';

export interface AcceptedRequest {
  dedupKey: string;
  requestHash: string;
  messageId: string;
  response: AgentlessResponse;
}

/** How long an accepted request is remembered: the trigger topic's retention (7 days), past which Kafka cannot redeliver it. */
export const REMEMBER_DAYS = 7;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * `triggers.accepted_request`: requests that were durably accepted (their dispatched event is in
 * Kafka), by idempotency key or trigger event id, so that asking again changes nothing.
 */
@Injectable()
export class AcceptedRequests implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AcceptedRequests.name);
  private pruneTimer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findMany(keys: string[]): Promise<Map<string, AcceptedRequest>> {
    if (keys.length === 0) return new Map();
    const rows: { dedup_key: string; request_hash: string; message_id: string; response: AgentlessResponse }[] = await this.db.query(
      'SELECT dedup_key, request_hash, message_id, response FROM triggers.accepted_request WHERE dedup_key = ANY($1)',
      [keys],
    );
    return new Map(rows.map((r) => [r.dedup_key, { dedupKey: r.dedup_key, requestHash: r.request_hash, messageId: r.message_id, response: r.response }]));
  }

  /** Records accepted requests in one round trip; a key already recorded keeps its first row. */
  async recordMany(requests: AcceptedRequest[]): Promise<void> {
    if (requests.length === 0) return;
    await this.db.query(
      `INSERT INTO triggers.accepted_request (dedup_key, request_hash, message_id, response)
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::jsonb[])
       ON CONFLICT (dedup_key) DO NOTHING`,
      [requests.map((r) => r.dedupKey), requests.map((r) => r.requestHash), requests.map((r) => r.messageId), requests.map((r) => JSON.stringify(r.response))],
    );
  }

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  private async prune(): Promise<void> {
    try {
      await this.db.query(`DELETE FROM triggers.accepted_request WHERE accepted_at < now() - make_interval(days => $1)`, [REMEMBER_DAYS]);
    } catch (e) {
      this.logger.warn({ msg: 'pruning accepted requests failed; next hour again', err: (e as Error).message });
    }
  }
}
