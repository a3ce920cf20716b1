// DNC list load: a CSV of N distinct phone numbers streamed through the edge to
// POST /api/v2/outbound/dnclists/{id}/imports (chunked, never held in memory on either side), timed
// from the first byte sent to the import's SUCCEEDED status (entries committed). Also reports the
// dnc service's peak RSS (VmHWM) and the CPU seconds it spent. The target: 10,000,000 entries in ≤60 s.
//
// The filter stage's throughput against a loaded list is bench/filter.ts.
//
//   node .dist/bench/dnc.js            (BENCH_DNC_ENTRIES, default 1,000,000)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ensureKafka } from '../tools/infra/kafka';
import { startIsolatedStack } from '../tools/stack/isolated-stack';
import { heraldClient } from '../tools/demo/herald-client';
import { urlOf } from '../tools/stack/services';
import { cpuSeconds } from './process-cpu';
import { round } from './relay';

export interface DncLoadResult {
  case: 'dnc-csv-load';
  listId: string;
  entries: number;
  bytes: number;
  seconds: number;
  uploadSeconds: number;
  entriesPerSecond: number;
  rejected: number;
  stored: number;
  dncPeakRssMiB?: number;
  /** CPU the dnc process (all its threads) spent on the import: steadier than the time on a shared machine. */
  dncCpuSeconds?: number;
}

/** The i-th number of a bench list: US numbers in a few area codes, NPA + exchange 200–999 + line, all distinct. */
const AREA_CODES = ['201', '202', '212', '213', '305', '312', '415', '617', '646', '702', '718', '773', '818', '917'];
export function listedNumber(i: number): string {
  const line = i % 10_000;
  const exchange = 200 + (Math.floor(i / 10_000) % 800);
  const area = AREA_CODES[Math.floor(i / 8_000_000) % AREA_CODES.length];
  return `+1${area}${exchange}${String(line).padStart(4, '0')}`;
}

function* csvLines(entries: number): Generator<string> {
  yield 'phone\n';
  let batch = '';
  for (let i = 0; i < entries; i++) {
    batch += `${listedNumber(i)}\n`;
    if (batch.length > 256 * 1024) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

function peakRssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Loads `entries` numbers into a new DNC list through the API of a running edge, with this access token. */
export async function loadDncList(edgeUrl: string, accessToken: string, entries: number, dncPid?: number): Promise<DncLoadResult> {
  const authorization = `Bearer ${accessToken}`;
  const created = await fetch(`${edgeUrl}/api/v2/outbound/dnclists`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ name: `bench dnc ${randomUUID()}`, dncSourceType: 'rds', contactMethod: 'Phone' }),
  });
  const list = (await created.json()) as { id: string };
  const encoder = new TextEncoder();
  const lines = csvLines(entries);
  let bytes = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = lines.next();
      if (next.done) return controller.close();
      const chunk = encoder.encode(next.value);
      bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const cpuBefore = dncPid === undefined ? undefined : cpuSeconds(dncPid);
  const start = process.hrtime.bigint();
  const res = await fetch(`${edgeUrl}/api/v2/outbound/dnclists/${list.id}/imports`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization },
    body,
    duplex: 'half',
  } as RequestInit);
  const uploadSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  let status = (await res.json()) as { state: string; rejectedRecords: number; completedRecords: number; message?: string };
  while (status.state === 'IN_PROGRESS') {
    await new Promise((r) => setTimeout(r, 200));
    status = (await (await fetch(`${edgeUrl}/api/v2/outbound/dnclists/${list.id}/importstatus`, { headers: { authorization } })).json()) as typeof status;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = dncPid === undefined ? undefined : cpuSeconds(dncPid);
  if (status.state !== 'SUCCEEDED') throw new Error(`import ended ${status.state ?? res.status}: ${JSON.stringify(status)}`);
  const got = (await (await fetch(`${edgeUrl}/api/v2/outbound/dnclists/${list.id}?includeSize=true`, { headers: { authorization } })).json()) as { size: number };
  return {
    case: 'dnc-csv-load',
    listId: list.id,
    entries,
    bytes,
    seconds: round(seconds),
    uploadSeconds: round(uploadSeconds),
    entriesPerSecond: Math.round(entries / seconds),
    rejected: status.rejectedRecords,
    stored: got.size,
    dncPeakRssMiB: peakRssMiB(dncPid),
    dncCpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? round(cpuAfter - cpuBefore) : undefined,
  };
}

/** Starts the edge and dnc on a database and topic namespace of their own, loads, cleans up. */
export async function runDncLoad(brokers: string[], entries: number): Promise<DncLoadResult> {
  const stack = await startIsolatedStack({ name: 'bench', brokers, portBase: 28180, services: ['dnc', 'edge'] });
  try {
    const edge = urlOf(stack.settings, 'edge');
    const { accessToken } = await heraldClient(edge, stack.settings.bootstrapClient);
    return await loadDncList(edge, accessToken, entries, stack.supervisor.running.get('dnc')?.process.pid);
  } finally {
    await stack.close();
  }
}

if (require.main === module) {
  const entries = Number(process.env['BENCH_DNC_ENTRIES'] ?? 1_000_000);
  ensureKafka()
    .then((broker) => runDncLoad(broker.brokers, entries))
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
