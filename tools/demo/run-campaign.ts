import { Presets, SingleBar } from 'cli-progress';
import { HeraldClient, Models } from './herald-client';
import { awaitCompletion, setCampaignStatus } from './sms-campaign';

/** Starts a campaign, shows its progress until it completes, prints its summary; true if every contact got a terminal result. */
export async function runCampaign(api: HeraldClient, campaignId: string, contacts: number, rate: number, say: (line: string) => void): Promise<boolean> {
  await setCampaignStatus(api, campaignId, 'on');
  const bar = new SingleBar({ format: '  campaign            [{bar}] {percentage}% | messaged {messaged} | skipped {skipped} | {eta_formatted} left', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2_000 }, Presets.shades_classic);
  bar.start(contacts, 0, { messaged: 0, skipped: 0 });
  const sendStart = Date.now();
  const outcome = await awaitCompletion(api, campaignId, {
    timeoutMs: Math.max(120_000, (contacts / rate) * 60_000 * 3),
    intervalMs: 250,
    onProgress: (p) => bar.update(terminalOf(p), { messaged: p.numberOfContactsMessaged ?? 0, skipped: skippedOf(p) }),
  });
  bar.stop();
  const p = outcome.progress;
  const terminal = terminalOf(p);
  say('');
  say(`  Summary — campaign ${outcome.status} in ${((Date.now() - sendStart) / 1000).toFixed(1)} s`);
  say(`    contacts        ${p.totalNumberOfContacts}`);
  say(`    messaged        ${p.numberOfContactsMessaged}`);
  say(`    skipped         ${Object.entries(p.numberOfContactsSkipped ?? {}).map(([k, v]) => `${v} (${k})`).join(', ') || 0}`);
  say(`    rejected        ${p['numberOfContactsRejected'] ?? 0}`);
  say(`    failed          ${p['numberOfContactsFailed'] ?? 0}`);
  say(`    unknown         ${p['numberOfContactsUnknown'] ?? 0}`);
  const ok = outcome.status === 'complete' && terminal === p.totalNumberOfContacts && p.totalNumberOfContacts === contacts;
  if (!ok) say(`\n  NOT every contact reached a terminal result (${terminal} of ${p.totalNumberOfContacts}, status ${outcome.status}).`);
  return ok;
}

type Progress = Models.CampaignProgress & Record<string, unknown>;

function skippedOf(p: Progress): number {
  return Object.values(p.numberOfContactsSkipped ?? {}).reduce((a, b) => a + b, 0);
}

function terminalOf(p: Progress): number {
  return (p.numberOfContactsMessaged ?? 0) + skippedOf(p) + Number(p['numberOfContactsFailed'] ?? 0) + Number(p['numberOfContactsRejected'] ?? 0) + Number(p['numberOfContactsUnknown'] ?? 0);
}
