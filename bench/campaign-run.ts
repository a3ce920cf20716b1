import type { Models } from 'purecloud-platform-client-v2';
import { HeraldClient } from '../tools/demo/herald-client';
import { awaitCompletion, setCampaignStatus } from '../tools/demo/sms-campaign';

/** The highest `messagesPerMinute` the API allows: the pipeline, not the pacer, is what is measured. */
export const NO_RATE_LIMIT = 1_000_000;

/**
 * Turns a prepared campaign on and waits until it is complete: the seconds from `on` to
 * `complete` (contact upload excluded), when it was turned on, and its final progress.
 */
export async function runToCompletion(api: HeraldClient, campaignId: string): Promise<{ seconds: number; startedAt: number; progress: Models.CampaignProgress & Record<string, unknown> }> {
  const startedAt = Date.now();
  const start = process.hrtime.bigint();
  await setCampaignStatus(api, campaignId, 'on');
  const outcome = await awaitCompletion(api, campaignId, { timeoutMs: 3_600_000, intervalMs: 250 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (outcome.status !== 'complete') throw new Error(`campaign ${campaignId} did not complete: ${outcome.status}`);
  return { seconds, startedAt, progress: outcome.progress };
}
