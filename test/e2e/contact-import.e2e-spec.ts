// CSV import of contacts (issue 3): streamed upload through the edge into the contacts service,
// row-by-row validation with a downloadable report of rejected rows, all-or-nothing refusals
// (size limit, binary content, bad header), upserts by a contact-id column, and live campaigns.
import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import { gzipSync } from 'node:zlib';
import { prepareSmsCampaign, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { startTestStack, TestStack } from './support/test-stack';

const MAX_BYTES = 65_536;
/** Small chunks, so that a file of a few hundred rows is merged in several (a duplicate id spans chunks). */
const CHUNK_ROWS = 100;
let stack: TestStack;
let db: Client;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 21080, extraEnv: { contacts: { CONTACT_IMPORT_MAX_BYTES: String(MAX_BYTES), CONTACT_IMPORT_CHUNK_ROWS: String(CHUNK_ROWS) } } });
  db = new Client({ connectionString: stack.settings.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await stack?.close();
});

interface ImportStatus {
  state: string;
  totalRecords: number;
  completedRecords: number;
  percentComplete: number;
  failureReason?: string;
  rejectedRecords: number;
}

async function createList(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await stack.fetch(`/api/v2/outbound/contactlists`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      columnNames: ['id', 'name', 'phone', 'email', 'note'],
      phoneColumns: [{ columnName: 'phone', type: 'cell' }],
      emailColumns: [{ columnName: 'email', type: 'work' }],
      defaultPhoneRegion: 'US',
      ...extra,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

/** POST …/imports as multipart/form-data (Genesys' upload form) or as a raw text/csv body. */
async function importCsv(listId: string, csv: string | Buffer, options: { contactIdColumn?: string; multipart?: boolean } = {}) {
  let res: Response;
  if (options.multipart) {
    const form = new FormData();
    form.append('id', listId);
    form.append('fileType', 'contactlist');
    if (options.contactIdColumn) form.append('contact-id-name', options.contactIdColumn);
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'contacts.csv');
    res = await stack.fetch(`/api/v2/outbound/contactlists/${listId}/imports`, { method: 'POST', body: form });
  } else {
    const q = options.contactIdColumn ? `?contactIdColumn=${encodeURIComponent(options.contactIdColumn)}` : '';
    res = await stack.fetch(`/api/v2/outbound/contactlists/${listId}/imports${q}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  }
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function getList(listId: string): Promise<{ size: number; importStatus?: ImportStatus }> {
  const res = await stack.fetch(`/api/v2/outbound/contactlists/${listId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { size: number; importStatus?: ImportStatus };
}

async function rejections(listId: string, importId: string): Promise<string[][]> {
  const res = await stack.fetch(`/api/v2/outbound/contactlists/${listId}/imports/${importId}/rejections.csv`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  return parse(await res.text(), { relax_column_count: false });
}

async function storedContacts(listId: string) {
  const { rows } = await db.query<{ id: string; data: Record<string, string>; seq: string; xmin: string }>(
    'SELECT id, data, seq, xmin::text AS xmin FROM contacts.contact WHERE list_id = $1 ORDER BY id',
    [listId],
  );
  return rows;
}

// Every malformed case in one file: BOM, CRLF, quoted commas and line breaks, empty lines, extra
// and missing fields, invalid phone and email, a missing id, a duplicate id, a formula-like cell.
const MESSY =
  '\uFEFFid,name,phone,email,note\r\n' + // row 1: header (with BOM)
  'c1, Ada ,(201) 555-0123,Ada@Example.ORG,"hello, world"\r\n' + // 2: ok (trimmed, normalised)
  'c2,Bob,+44 20 7946 0958,bob@example.co.uk,"line one\r\nline two"\r\n' + // 3: ok, a quoted line break
  '\r\n' + // 4: empty line
  'c3,Cy,201-555-0199,cy@example.org,x,EXTRA\r\n' + // 5: an extra field
  'c4,Di,201-555-0142\r\n' + // 6: two missing fields
  '=SUM(A1),Ed,12,ed@example.org,\r\n' + // 7: invalid phone (and a formula-like id)
  'c6,Fay,(201) 555-0177,fay@@example.org,\r\n' + // 8: invalid email
  ',Gus,(201) 555-0166,gus@example.org,\r\n' + // 9: no contact id
  'c7,Hal,,hal@example.org,\r\n' + // 10: ok: an empty phone is allowed (the campaign skips it)
  'c8,"Ivy ""the"" one",+1 201 555 0100,ivy@example.org,"a,b"\r\n' + // 11: ok, escaped quotes
  '\r\n' + // 12: empty line
  'c1,Dup,(201) 555-0111,dup@example.org,\r\n'; // 13: duplicate id (row 2 has it)

describe('CSV import', () => {
  it('imports the valid rows of a messy file and reports every rejected row (row, column, reason, raw)', async () => {
    const listId = await createList('messy');
    const { status, body } = await importCsv(listId, MESSY, { contactIdColumn: 'id', multipart: true });
    expect(status).toBe(200);
    expect(body['importStatus']).toEqual({ state: 'SUCCEEDED', totalRecords: 10, completedRecords: 4, percentComplete: 100, rejectedRecords: 6 });

    const contacts = await storedContacts(listId);
    expect(contacts.map((c) => [c.id, c.data])).toEqual([
      ['c1', { id: 'c1', name: 'Ada', phone: '+12015550123', email: 'Ada@example.org', note: 'hello, world' }],
      ['c2', { id: 'c2', name: 'Bob', phone: '+442079460958', email: 'bob@example.co.uk', note: 'line one\r\nline two' }],
      ['c7', { id: 'c7', name: 'Hal', phone: '', email: 'hal@example.org', note: '' }],
      ['c8', { id: 'c8', name: 'Ivy "the" one', phone: '+12015550100', email: 'ivy@example.org', note: 'a,b' }],
    ]);

    const report = await rejections(listId, body['id']);
    expect(report[0]).toEqual(['rowNumber', 'column', 'reason', 'raw']);
    const rows = report.slice(1);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['5', ''],
      ['6', ''],
      ['7', 'phone'],
      ['8', 'email'],
      ['9', 'id'],
      ['13', 'id'],
    ]);
    expect(rows[0]![2]).toBe('1 extra field: the row has 6 fields, the header 5');
    expect(rows[0]![3]).toBe('c3,Cy,201-555-0199,cy@example.org,x,EXTRA');
    expect(rows[1]![2]).toBe('2 missing fields: the row has 3 fields, the header 5');
    expect(rows[2]![2]).toMatch(/^invalid phone number: /);
    expect(rows[2]![3]).toBe("'=SUM(A1),Ed,12,ed@example.org,"); // neutralised against CSV injection
    expect(rows[3]![2]).toBe('invalid email address: more than one @');
    expect(rows[4]![2]).toBe('missing contact id');
    expect(rows[5]![2]).toBe('duplicate contact id: the same id is on row 2, which was imported');

    const list = await getList(listId);
    expect(list.size).toBe(4);
    expect(list.importStatus).toEqual(body['importStatus']);

    const detail = await (await stack.fetch(`/api/v2/outbound/contactlists/${listId}/imports/${body['id']}`)).json();
    expect(detail).toMatchObject({ id: body['id'], rowsRead: 10, importedRecords: 4, rejectedRecords: 6, contactIdColumn: 'id' });
  });

  it('re-importing the same file changes nothing: same contacts, same data, each row stored once', async () => {
    const listId = await createList('reimport');
    const lines = ['id,name,phone,email,note'];
    for (let i = 0; i < 500; i++) lines.push(`r${i},Name ${i},+1 201 555 ${String(1000 + i)},p${i}@example.org,"n ${i}, ""q"""`);
    lines.push('bad,Bad,123,bad@example.org,');
    lines.push('r7,Late duplicate,+1 201 555 1007,late@example.org,'); // r7 is on row 9, chunks ago
    const csv = lines.join('\n') + '\n';

    const first = await importCsv(listId, csv, { contactIdColumn: 'id' });
    expect(first.status).toBe(200);
    expect(first.body['importStatus']).toMatchObject({ state: 'SUCCEEDED', totalRecords: 502, completedRecords: 500, rejectedRecords: 2 });
    const report = (await rejections(listId, first.body['id'])).slice(1);
    expect(report.map((r) => r.slice(0, 3))).toEqual([
      ['502', 'phone', expect.stringMatching(/^invalid phone number/)],
      ['503', 'id', 'duplicate contact id: the same id is on row 9, which was imported'],
    ]);
    const before = await storedContacts(listId);
    expect(before).toHaveLength(500);
    expect(new Set(before.map((c) => c.id)).size).toBe(500);
    // The first row of r7 was imported, not the late duplicate (several chunks later).
    expect(before.find((c) => c.id === 'r7')!.data['name']).toBe('Name 7');

    const second = await importCsv(listId, csv, { contactIdColumn: 'id', multipart: true });
    expect(second.status).toBe(200);
    expect(second.body['importStatus']).toMatchObject({ state: 'SUCCEEDED', completedRecords: 500, rejectedRecords: 2 });
    const after = await storedContacts(listId);
    // Same ids, same data, same order (seq) and not even rewritten (xmin: no new row version).
    expect(after).toEqual(before);
    expect((await getList(listId)).size).toBe(500);
  });

  it('without a contact-id column every row gets a new id, so a re-import adds the contacts again', async () => {
    const listId = await createList('no ids');
    const csv = 'name,phone,email\nA,+12015550123,a@example.org\nB,+12015550124,b@example.org\n';
    expect((await importCsv(listId, csv)).status).toBe(200);
    expect((await importCsv(listId, csv)).status).toBe(200);
    const contacts = await storedContacts(listId);
    expect(contacts).toHaveLength(4);
    expect(contacts.every((c) => /^[0-9a-f]{32}$/.test(c.id))).toBe(true);
  });

  it('refuses an unknown header column with 400 naming it, and imports nothing', async () => {
    const listId = await createList('unknown column');
    const { status, body } = await importCsv(listId, 'id,name,phone,email,fax\nc1,A,+12015550123,a@example.org,123\n', { contactIdColumn: 'id' });
    expect(status).toBe(400);
    expect(body['code']).toBe('import.column.unknown');
    expect(body['message']).toMatch(/unknown column in the header row: "fax"/);
    const list = await getList(listId);
    expect(list.size).toBe(0);
    expect(list.importStatus).toMatchObject({ state: 'FAILED', failureReason: expect.stringMatching(/"fax"/) });
  });

  it('refuses a header without the phone or email column, naming it', async () => {
    const listId = await createList('missing phone column');
    const { status, body } = await importCsv(listId, 'id,name,email\nc1,A,a@example.org\n', { multipart: true });
    expect(status).toBe(400);
    expect(body['code']).toBe('import.column.missing');
    expect(body['message']).toMatch(/phone column "phone"/);
    expect((await getList(listId)).size).toBe(0);
  });

  it('refuses a file over CONTACT_IMPORT_MAX_BYTES with 413 naming the limit, leaving the list unchanged', async () => {
    const listId = await createList('oversized');
    expect((await importCsv(listId, 'id,name,phone,email\nkeep,K,+12015550123,k@example.org\n', { contactIdColumn: 'id' })).status).toBe(200);
    const lines = ['id,name,phone,email'];
    for (let i = 0; lines.join('\n').length < MAX_BYTES * 3; i++) lines.push(`big${i},Name ${i},+1 201 555 ${String(1000 + (i % 9000))},b${i}@example.org`);
    const csv = lines.join('\n') + '\n';
    for (const multipart of [false, true]) {
      const { status, body } = await importCsv(listId, csv, { contactIdColumn: 'id', multipart });
      expect(status).toBe(413);
      expect(body['code']).toBe('import.too.large');
      expect(body['message']).toContain(String(MAX_BYTES));
      const list = await getList(listId);
      expect(list.size).toBe(1);
      expect(list.importStatus).toMatchObject({ state: 'FAILED', completedRecords: 0 });
    }
    expect((await storedContacts(listId)).map((c) => c.id)).toEqual(['keep']);
  });

  it('refuses binary content (raw or in a form) and imports nothing', async () => {
    const listId = await createList('binary');
    const gz = gzipSync(Buffer.from('id,name,phone,email\nc1,A,+12015550123,a@example.org\n'));
    const raw = await importCsv(listId, gz, { contactIdColumn: 'id' });
    expect(raw.status).toBe(415);
    expect(raw.body['code']).toBe('import.not.csv');
    const form = await importCsv(listId, Buffer.concat([Buffer.from('id,name,phone,email\nc1,A,+12015550123,a@example.org\n'), Buffer.from([0, 1, 2, 3])]), {
      contactIdColumn: 'id',
      multipart: true,
    });
    expect(form.status).toBe(415);
    // NUL bytes after 450 rows were read, checked and staged: nothing of them is imported either.
    const many = ['id,name,phone,email', ...Array.from({ length: 450 }, (_, i) => `m${i},M,+1 201 555 ${1000 + i},m${i}@ex.org`)].join('\n') + '\n';
    const upload = streamingUpload(`/api/v2/outbound/contactlists/${listId}/imports?contactIdColumn=id`, many);
    await poll(async () => ((await getList(listId)).importStatus?.totalRecords ?? 0) >= 440); // csv-parse holds the last line until more bytes come
    upload.send(Buffer.from([0x00, 0x0a]));
    const late = await upload.answer;
    expect(late.status).toBe(415);
    expect(((await late.json()) as { message: string }).message).toMatch(/NUL bytes/);
    expect((await getList(listId)).size).toBe(0);
    expect((await getList(listId)).importStatus).toMatchObject({ state: 'FAILED', failureReason: expect.stringMatching(/not a CSV text file/) });
  });

  it('refuses what is not a CSV upload: another content type, an empty file', async () => {
    const listId = await createList('not csv');
    const json = await stack.fetch(`/api/v2/outbound/contactlists/${listId}/imports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(json.status).toBe(415);
    const empty = await importCsv(listId, '');
    expect(empty.status).toBe(400);
    expect(empty.body['code']).toBe('import.empty');
  });

  it('rejects a row csv-parse cannot read (a quote never closed) and imports the rows before it', async () => {
    const listId = await createList('unreadable');
    const csv = 'id,name,phone,email\nc1,A,+12015550123,a@example.org\nc2,"B,+12015550124,b@example.org\nc3,C,+12015550125,c@example.org\n';
    const { status, body } = await importCsv(listId, csv, { contactIdColumn: 'id' });
    expect(status).toBe(200);
    expect(body['importStatus']).toMatchObject({ state: 'SUCCEEDED', completedRecords: 1, rejectedRecords: 1 });
    const report = (await rejections(listId, body['id'])).slice(1);
    expect(report).toEqual([['3', '', expect.stringMatching(/^not readable as CSV: Quote Not Closed/), '']]);
    expect((await storedContacts(listId)).map((c) => c.id)).toEqual(['c1']);
  });

  it('shows live progress on the list while a slow upload streams, then the final state', async () => {
    const listId = await createList('live progress');
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `p${from + k},P,+1 201 555 ${1000 + from + k},p${from + k}@example.org\n`).join('');
    const upload = streamingUpload(`/api/v2/outbound/contactlists/${listId}/imports?contactIdColumn=id`, `id,name,phone,email\n${rows(0, 300)}`);
    await poll(async () => {
      const s = (await getList(listId)).importStatus;
      return s?.state === 'IN_PROGRESS' && s.totalRecords >= 299;
    });
    expect((await getList(listId)).size).toBe(0); // nothing is visible before the whole file is committed
    upload.send(rows(300, 400));
    const res = await upload.answer;
    expect(res.status).toBe(200);
    expect((await getList(listId)).importStatus).toEqual({ state: 'SUCCEEDED', totalRecords: 400, completedRecords: 400, percentComplete: 100, rejectedRecords: 0 });
    expect((await getList(listId)).size).toBe(400);
  });

  it('contacts imported into a list of a running campaign join that run', async () => {
    const handle = await prepareSmsCampaign(stack.api, { contacts: 3, messagesPerMinute: 1, name: 'import running' });
    await setCampaignStatus(stack.api, handle.campaignId, 'on');
    // The contacts service's view of the run: its audience (run_contact) and dispatch_run.total.
    const total = async () => {
      const { rows } = await db.query('SELECT total FROM contacts.dispatch_run WHERE campaign_id = $1', [handle.campaignId]);
      return rows[0]?.total as number | undefined;
    };
    await poll(async () => (await total()) === 3);
    const csv = 'customerId,firstName,phone,appointment\nn1,Nia,+12025550901,9:00\nn2,Ola,+12025550902,10:00\n';
    const { status } = await importCsv(handle.contactListId, csv, { contactIdColumn: 'customerId' });
    expect(status).toBe(200);
    expect(await total()).toBe(5);
    const { rows } = await db.query(
      `SELECT rc.contact_id FROM contacts.run_contact rc JOIN contacts.dispatch_run r USING (run_id) WHERE r.campaign_id = $1 AND rc.contact_id IN ('n1', 'n2') ORDER BY 1`,
      [handle.campaignId],
    );
    expect(rows.map((r) => r.contact_id)).toEqual(['n1', 'n2']);
    await setCampaignStatus(stack.api, handle.campaignId, 'off');
  });
});

/** A text/csv upload whose body arrives in two parts: `first` now, the rest when `send` is called. */
function streamingUpload(path: string, first: string) {
  let send!: (rest: string | Uint8Array) => void;
  const rest = new Promise<string | Uint8Array>((r) => (send = r));
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(first));
      const more = await rest;
      controller.enqueue(typeof more === 'string' ? encoder.encode(more) : more);
      controller.close();
    },
  });
  const answer = stack.fetch(path, { method: 'POST', headers: { 'content-type': 'text/csv' }, body, duplex: 'half' } as RequestInit);
  return { send, answer };
}

async function poll(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
