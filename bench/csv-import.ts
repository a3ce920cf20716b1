// CSV import benchmark (issue 3): a 1,000,000-row × 10-column file with phone and email columns
// (~1% bad rows) uploaded through the edge into the contacts service, timed from the first byte
// sent to the committed answer, with the contacts process' peak RSS; and in the same run the
// baseline, `psql \copy` of the same file into a plain unlogged table. One JSON line per case.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ensureKafka } from '../tools/infra/kafka';
import { ensureDatabase } from '../tools/infra/postgres';
import { IsolatedStack, startIsolatedStack } from '../tools/stack/isolated-stack';
import { heraldClient } from '../tools/demo/herald-client';
import { urlOf } from '../tools/stack/services';

export interface CsvImportBenchOptions {
  rows?: number;
  /** Kafka brokers (the contacts service needs one to start); ensured when missing. */
  brokers?: string[];
  portBase?: number;
  /** Where the CSV file is written (deleted afterwards). */
  dir?: string;
  log?: (line: string) => void;
}

const COLUMNS = ['customerId', 'firstName', 'lastName', 'phone', 'email', 'city', 'zip', 'accountNumber', 'amountDue', 'note'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Berners-Lee'];
const CITY = ['Springfield', 'Riverside', 'Franklin', 'Greenville', 'Bristol', 'Clinton', 'Fairview', 'Salem', 'Madison', 'Georgetown'];
const round = (n: number) => Math.round(n * 100) / 100;
const mib = (kb: number) => Math.round(kb / 1024);

/** Valid US area codes: with 800 exchanges and 10,000 line numbers each, every row's number is its own (up to 80M rows). */
const AREAS = [201, 202, 203, 205, 206, 207, 208, 209, 212, 213];

/**
 * Writes the benchmark file: one row in 100 has a bad phone number or a bad email address. Every
 * phone number and email address is distinct, as in a real contact list: a cache of repeated
 * values would flatter the figure.
 */
async function writeCsv(path: string, rows: number): Promise<{ bytes: number; bad: number }> {
  const out = createWriteStream(path);
  out.write(`${COLUMNS.join(',')}\n`);
  let bad = 0;
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const badRow = i % 100 === 99;
    if (badRow) bad++;
    const phone = badRow && i % 200 === 199 ? '555-01' : `(${AREAS[i % 10]}) ${200 + (Math.floor(i / 10) % 800)}-${String(Math.floor(i / 8000) % 10000).padStart(4, '0')}`;
    const email = badRow && i % 200 !== 199 ? `user${i}@@example.org` : `user.${i}@Example.org`;
    const note = i % 10 === 0 ? `"Call after 5pm, ask for ""${FIRST[i % 10]}"""` : 'regular customer';
    chunk += `C${String(i).padStart(8, '0')},${FIRST[i % 10]},${LAST[(i >> 3) % 10]},${phone},${email},${CITY[(i >> 5) % 10]},${String(10000 + (i % 89999))},${9_000_000_000 + i},${(i % 50000) / 100},${note}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { bytes: statSync(path).size, bad };
}

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15) in clock ticks (USER_HZ 100)
}

/** Peak resident memory of a process: the max of VmRSS samples, and the kernel's high-water mark. */
function rssSampler(pid: number) {
  const read = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, read('VmRSS'));
    } catch {
      /* exited */
    }
  }, 50);
  return {
    now: () => read('VmRSS'),
    stop() {
      clearInterval(timer);
      return { sampledPeakKb: peak, hwmKb: read('VmHWM') };
    },
  };
}

function upload(url: string, path: string, bytes: number, authorization: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'text/csv', 'content-length': String(bytes), authorization } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(req);
  });
}

export async function runCsvImportBench(opts: CsvImportBenchOptions = {}): Promise<Record<string, unknown>[]> {
  const rows = opts.rows ?? 1_000_000;
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const brokers = opts.brokers ?? (await ensureKafka()).brokers;
  const file = join(opts.dir ?? tmpdir(), `herald-bench-import-${randomUUID().slice(0, 8)}.csv`);
  const results: Record<string, unknown>[] = [];
  let stack: IsolatedStack | undefined;
  try {
    log(`csv-import: writing ${rows} rows to ${file}`);
    const { bytes, bad } = await writeCsv(file, rows);
    log(`csv-import: ${Math.round(bytes / 2 ** 20)} MiB, ${bad} bad rows; starting contacts + edge`);
    stack = await startIsolatedStack({
      name: 'bench-import',
      brokers,
      portBase: opts.portBase ?? Number(process.env['BENCH_PORT_BASE'] ?? 28380),
      logLevel: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
      services: ['contacts', 'edge'],
    });
    const { settings, supervisor, id } = stack;
    const edge = urlOf(settings, 'edge');
    const { accessToken } = await heraldClient(edge, settings.bootstrapClient);
    const authorization = `Bearer ${accessToken}`;
    const created = await fetch(`${edge}/api/v2/outbound/contactlists`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        name: `bench import ${id}`,
        columnNames: COLUMNS,
        phoneColumns: [{ columnName: 'phone', type: 'cell' }],
        emailColumns: [{ columnName: 'email', type: 'personal' }],
        defaultPhoneRegion: 'US',
      }),
    });
    const listId = ((await created.json()) as { id: string }).id;

    const pid = supervisor.running.get('contacts')!.process.pid!;
    const rss = rssSampler(pid);
    const rssBeforeKb = rss.now();
    const cpuBefore = cpuSeconds(pid);
    log('csv-import: uploading');
    const start = process.hrtime.bigint();
    let res: { status: number; body: string };
    try {
      res = await upload(`${edge}/api/v2/outbound/contactlists/${listId}/imports?contactIdColumn=customerId`, file, bytes, authorization);
    } finally {
      log(`csv-import: contacts RSS ${JSON.stringify(rss.stop())}`);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const memory = rss.stop();
    const contactsCpuSeconds = cpuSeconds(pid) - cpuBefore;
    if (res.status !== 200) throw new Error(`import answered ${res.status}: ${res.body.slice(0, 500)}`);
    const answer = JSON.parse(res.body) as { importedRecords: number; rejectedRecords: number };
    results.push({
      case: 'csv-import',
      rows,
      mebibytes: round(bytes / 2 ** 20),
      seconds: round(seconds),
      rowsPerSecond: Math.round(rows / seconds),
      imported: answer.importedRecords,
      rejected: answer.rejectedRecords,
      rssBeforeMiB: mib(rssBeforeKb),
      rssPeakMiB: mib(Math.max(memory.sampledPeakKb, memory.hwmKb)),
      // On a shared machine the wall time depends on the others; this does less.
      contactsCpuSeconds: round(contactsCpuSeconds),
    });
    log(JSON.stringify(results[results.length - 1]));

    // Baseline: the same bytes straight into a plain unlogged table, no validation, no upsert.
    await ensureDatabase(settings.databaseUrl);
    const db = new Client({ connectionString: settings.databaseUrl });
    await db.connect();
    await db.query(`CREATE UNLOGGED TABLE public.bench_copy (${COLUMNS.map((c) => `"${c}" text`).join(', ')})`);
    await db.end();
    log('csv-import: baseline psql \\copy');
    const copyStart = process.hrtime.bigint();
    await promisify(execFile)('psql', [settings.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy public.bench_copy FROM '${file}' WITH (FORMAT csv, HEADER true)`]);
    const copySeconds = Number(process.hrtime.bigint() - copyStart) / 1e9;
    results.push({ case: 'csv-copy-baseline', rows, seconds: round(copySeconds), rowsPerSecond: Math.round(rows / copySeconds) });
    results.push({ case: 'csv-import-ratio', importOverCopy: round(copySeconds / seconds) });
  } finally {
    await stack?.close();
    rmSync(file, { force: true });
  }
  return results;
}

if (require.main === module) {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  runCsvImportBench({ rows: Number(process.env['BENCH_IMPORT_ROWS'] ?? 1_000_000) })
    .then((results) => {
      for (const r of results) console.log(JSON.stringify({ ...r, machine }));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
