// The pre-launch preview (Herald extension): a dry run of a campaign that is off reports who would
// be messaged and who skipped and why, unresolved template variables, SMS encodings and segments,
// and the ETA; the campaign is then really run and its results equal the preview's figures.
// On the same stack, what the dispatch point promises: priority contacts go next, and a second
// contacts instance does not raise a campaign's rate. Real broker, real PostgreSQL, every service
// its own process.
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON bodies loosely and assert on their shape */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { envFor, SERVICES } from '../../tools/stack/services';
import { entryOf } from '../../tools/stack/supervisor';
import type { Models } from 'purecloud-platform-client-v2';
import { countSmsSegments } from '@herald/channels';
import { awaitCompletion, prepareSmsCampaign, provisionSender, SENDER, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { acceptedBySimulator, flushedSimulatorLog, readTopic, startTestStack, TestStack } from './support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 27080 });
  await provisionSender(stack.api, SENDER);
});

afterAll(async () => {
  await stack?.close();
});

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await stack.fetch(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const CAMPAIGNS = '/api/v2/outbound/messagingcampaigns';

/** Starts a preview and polls it until it is no longer IN_PROGRESS. */
async function preview(campaignId: string): Promise<any> {
  const started = await http('POST', `${CAMPAIGNS}/${campaignId}/previews`);
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ state: 'IN_PROGRESS', campaign: { id: campaignId } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const got = await http('GET', `${CAMPAIGNS}/${campaignId}/previews/${started.body.id}`);
    expect(got.status).toBe(200);
    if (got.body.state !== 'IN_PROGRESS') return got.body;
    if (Date.now() > deadline) throw new Error('the preview did not finish in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function dncListWith(numbers: string[]): Promise<string> {
  const list = await http('POST', '/api/v2/outbound/dnclists', { name: `dnc ${randomUUID()}`, dncSourceType: 'rds', contactMethod: 'Phone' });
  expect(list.status).toBe(200);
  expect((await http('POST', `/api/v2/outbound/dnclists/${list.body.id}/phonenumbers`, numbers)).status).toBe(200);
  return list.body.id;
}

describe('campaign preview', () => {
  it('reports exactly what the run then does: messaged, skipped by reason and DNC list, unresolved variables, encodings and segments, ETA', async () => {
    const phone = (n: number) => `+1202555${String(7000 + n)}`;
    const dncA = await dncListWith([phone(5), phone(6), phone(9)]);
    const dncB = await dncListWith([phone(7)]);
    for (const n of [8, 9]) {
      expect((await http('POST', '/api/v2/herald/suppressions', { channel: 'sms', address: phone(n), reason: 'opt-out', source: 'e2e' })).status).toBe(200);
    }
    const list = await stack.api.outbound.postOutboundContactlists({
      name: `preview ${randomUUID()}`,
      columnNames: ['firstName', 'phone', 'appointment'],
      phoneColumns: [{ columnName: 'phone', type: 'cell' }],
    });
    const contacts: Omit<Models.WritableDialerContact, 'contactListId'>[] = [
      { id: 'ok-gsm', data: { firstName: 'Ada', phone: phone(1), appointment: '9:00' } },
      { id: 'ok-ucs2', data: { firstName: 'Zoë', phone: phone(2), appointment: '10:00' } }, // ë is not GSM-7
      { id: 'ok-default', data: { phone: phone(3), appointment: '11:00' } }, // firstName's default
      { id: 'ok-long', data: { firstName: 'Alan', phone: phone(4), appointment: `noon, ${'bring your papers '.repeat(9)}` } }, // 2 segments
      { id: 'no-phone-1', data: { firstName: 'Nobody', phone: '', appointment: '9:00' } },
      { id: 'no-phone-2', data: { firstName: 'Noone', appointment: '9:00' } },
      { id: 'dnc-a-1', data: { firstName: 'Dee', phone: phone(5), appointment: '9:00' } },
      { id: 'dnc-a-2', data: { firstName: 'Dan', phone: phone(6), appointment: '9:00' } },
      { id: 'dnc-b', data: { firstName: 'Bea', phone: phone(7), appointment: '9:00' } },
      { id: 'suppressed', data: { firstName: 'Sue', phone: phone(8), appointment: '9:00' } },
      { id: 'suppressed-and-dnc', data: { firstName: 'Sam', phone: phone(9), appointment: '9:00' } }, // suppression wins
      { id: 'no-appointment-1', data: { firstName: 'Mia', phone: phone(10) } },
      { id: 'no-appointment-2', data: { firstName: 'Max', phone: phone(11), appointment: '' } },
    ];
    await stack.api.outbound.postOutboundContactlistContacts(list.id!, contacts.map((c) => ({ ...c, contactListId: list.id! })));
    const template = await stack.api.responses.postResponsemanagementResponses({
      name: `preview ${randomUUID()}`,
      libraries: [{ id: 'e2e' }],
      responseType: 'CampaignSmsTemplate',
      texts: [{ content: 'Hi {{firstName}}, see you at {{appointment}}.', contentType: 'text/plain' }],
      substitutions: [{ id: 'firstName', defaultValue: 'there' }, { id: 'appointment' }],
    });
    const campaign = await stack.api.outbound.postOutboundMessagingcampaigns({
      name: `preview ${randomUUID()}`,
      contactList: { id: list.id },
      messagesPerMinute: 60,
      dncLists: [{ id: dncA }, { id: dncB }],
      smsConfig: { phoneColumn: 'phone', messageColumn: '', senderSmsPhoneNumber: { phoneNumber: SENDER }, contentTemplate: { id: template.id } } as Models.SmsConfig,
    });
    const campaignId = campaign.id!;

    const done = await preview(campaignId);
    expect(done).toMatchObject({ state: 'SUCCEEDED', totalContacts: 13, contactsProcessed: 13, percentComplete: 100 });
    expect(done.result).toEqual({
      totalNumberOfContacts: 13,
      numberOfContactsFilteredOut: 0,
      numberOfContactsToMessage: 4,
      numberOfContactsSkipped: { 'invalid-address': 2, dnc: 3, suppressed: 2 },
      dncLists: [
        { id: dncA, selfUri: `/api/v2/outbound/dnclists/${dncA}`, numberOfContactsSkipped: 2 },
        { id: dncB, selfUri: `/api/v2/outbound/dnclists/${dncB}`, numberOfContactsSkipped: 1 },
      ],
      numberOfContactsFailed: { 'render-failed': 2 },
      unresolvedVariables: [{ name: 'appointment', numberOfContacts: 2 }],
      sms: { totalSegments: 5, byEncoding: { 'GSM-7': { numberOfContacts: 3, segments: 4 }, 'UCS-2': { numberOfContacts: 1, segments: 1 } } },
      messagesPerMinute: 60,
      // 11 contacts have an address, one slot a second: the last is dispatched 10 s after the start.
      estimatedDurationSeconds: 10,
    });
    // A dry run: nothing was dispatched, nothing sent.
    const progressBefore = await stack.api.outbound.getOutboundMessagingcampaignProgress(campaignId);
    expect(progressBefore.numberOfContactsMessaged ?? 0).toBe(0);
    expect(acceptedBySimulator(stack).filter((m) => m.destination.startsWith('+12025557'))).toHaveLength(0);

    // The real run.
    await setCampaignStatus(stack.api, campaignId, 'on');
    const refused = await http('POST', `${CAMPAIGNS}/${campaignId}/previews`);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('campaign.running');
    expect(refused.body.message).toMatch(/turn it off first/);

    const outcome = await awaitCompletion(stack.api, campaignId, { timeoutMs: 120_000 });
    expect(outcome.status).toBe('complete');
    const r = done.result;
    expect(outcome.progress.totalNumberOfContacts).toBe(r.totalNumberOfContacts);
    expect(outcome.progress.numberOfContactsMessaged).toBe(r.numberOfContactsToMessage);
    expect(outcome.progress.numberOfContactsSkipped).toEqual(r.numberOfContactsSkipped);
    expect(outcome.progress.numberOfContactsFailed).toBe(2);

    // Per DNC list and the unresolved variables, from the public result topic.
    const results = (await readTopic<any>(stack, 'herald.delivery.result.v1', (recs) => recs.filter((x) => (x.value as any).campaignId === campaignId).length >= 13))
      .map((x) => x.value as any)
      .filter((v) => v.campaignId === campaignId);
    const dncSkips = (id: string) => results.filter((v) => v.reason === 'dnc' && v.dncListId === id).length;
    expect(r.dncLists.map((d: any) => [d.id, d.numberOfContactsSkipped])).toEqual([
      [dncA, dncSkips(dncA)],
      [dncB, dncSkips(dncB)],
    ]);
    const renderFailed = results.filter((v) => v.outcome === 'failed');
    expect(renderFailed.map((v) => [v.reason, v.contactId]).sort()).toEqual([
      ['render-failed', 'no-appointment-1'],
      ['render-failed', 'no-appointment-2'],
    ]);
    expect(renderFailed.every((v) => /appointment/.test(v.detail))).toBe(true);

    // Encodings and segments, from what the SMS simulator accepted.
    const sent = (await flushedSimulatorLog(stack)).filter((m) => m.destination.startsWith('+12025557'));
    expect(sent).toHaveLength(r.numberOfContactsToMessage);
    const byEncoding: Record<string, { numberOfContacts: number; segments: number }> = {};
    let segments = 0;
    for (const m of sent) {
      const c = countSmsSegments(m.body);
      segments += c.segments;
      const e = (byEncoding[c.encoding] ??= { numberOfContacts: 0, segments: 0 });
      e.numberOfContacts++;
      e.segments += c.segments;
    }
    expect({ totalSegments: segments, byEncoding }).toEqual(r.sms);
  });

  it('streams a large audience in pages', async () => {
    const handle = await prepareSmsCampaign(stack.api, { contacts: 2_500, messagesPerMinute: 6_000, invalidShare: 0.02, name: `preview paging ${randomUUID()}` });
    const done = await preview(handle.campaignId);
    expect(done).toMatchObject({ state: 'SUCCEEDED', totalContacts: 2_500, contactsProcessed: 2_500 });
    expect(done.result).toMatchObject({
      totalNumberOfContacts: 2_500,
      numberOfContactsToMessage: 2_500 - handle.invalidContacts,
      numberOfContactsSkipped: { 'invalid-address': handle.invalidContacts },
      numberOfContactsFailed: {},
      sms: { totalSegments: 2_500 - handle.invalidContacts, byEncoding: { 'GSM-7': { numberOfContacts: 2_500 - handle.invalidContacts, segments: 2_500 - handle.invalidContacts } } },
      estimatedDurationSeconds: ((2_500 - handle.invalidContacts - 1) * 60) / 6_000,
    });
  });

  it('leaves out the contacts the campaign\'s contact list filter excludes, as the run does', async () => {
    const handle = await prepareSmsCampaign(stack.api, { contacts: 300, messagesPerMinute: 60_000, name: `preview filter ${randomUUID()}` });
    const filter = await http('POST', '/api/v2/outbound/contactlistfilters', {
      name: `from 100100 ${randomUUID()}`,
      contactList: { id: handle.contactListId },
      filterType: 'AND',
      clauses: [{ filterType: 'AND', predicates: [{ column: 'customerId', columnType: 'numeric', operator: 'GREATER_THAN_EQUALS', value: '100100' }] }],
    });
    expect(filter.status).toBe(200);
    const campaign = await stack.api.outbound.getOutboundMessagingcampaign(handle.campaignId);
    await stack.api.outbound.putOutboundMessagingcampaign(handle.campaignId, { ...campaign, contactListFilters: [{ id: filter.body.id }] } as never);

    const done = await preview(handle.campaignId);
    expect(done).toMatchObject({ state: 'SUCCEEDED', totalContacts: 200, contactsProcessed: 200 });
    expect(done.result).toMatchObject({ totalNumberOfContacts: 200, numberOfContactsFilteredOut: 100, numberOfContactsToMessage: 200 });

    await setCampaignStatus(stack.api, handle.campaignId, 'on');
    const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 120_000, intervalMs: 250 });
    expect(outcome.status).toBe('complete');
    expect(outcome.progress).toMatchObject({ totalNumberOfContacts: 200, numberOfContactsMessaged: 200 });
  });

  it('answers 404 for an unknown campaign or preview, and 400 for a malformed id', async () => {
    const unknown = await http('POST', `${CAMPAIGNS}/${randomUUID()}/previews`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('messaging.campaign.not.found');
    const handle = await prepareSmsCampaign(stack.api, { contacts: 1, messagesPerMinute: 60, name: `preview 404 ${randomUUID()}` });
    const missing = await http('GET', `${CAMPAIGNS}/${handle.campaignId}/previews/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('messaging.campaign.preview.not.found');
    expect((await http('GET', `${CAMPAIGNS}/${handle.campaignId}/previews/not-a-uuid`)).status).toBe(400);
  });

  it('is not reachable through the edge: the internal endpoints answer 404 there', async () => {
    expect((await http('POST', '/internal/dnc/check', { channel: 'sms', dncListIds: [], addresses: [] })).status).toBe(404);
  });
});

// Pacing is measured where contacts are dispatched; so is the order. (contact-lists.e2e-spec.ts
// checks the order at the provider, where the later stages' batching can reorder a few.)
async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: stack.settings.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('priority contacts added while a campaign runs', () => {
  it('are dispatched next, before every contact still waiting', async () => {
    const handle = await prepareSmsCampaign(stack.api, { contacts: 100, messagesPerMinute: 600, name: `priority ${randomUUID()}` });
    await setCampaignStatus(stack.api, handle.campaignId, 'on');
    const dispatched = async () =>
      (await sql<{ n: number }>('SELECT count(*)::int AS n FROM contacts.run_contact rc JOIN contacts.dispatch_run r USING (run_id) WHERE r.campaign_id = $1 AND rc.dispatched_at IS NOT NULL', [handle.campaignId]))[0]!.n;
    for (let deadline = Date.now() + 60_000; (await dispatched()) < 10; ) {
      if (Date.now() > deadline) throw new Error('the campaign did not start dispatching');
      await new Promise((r) => setTimeout(r, 100));
    }
    const priority = Array.from({ length: 5 }, (_, i) => ({ id: `p${i}`, contactListId: handle.contactListId, data: { customerId: `p${i}`, firstName: 'Pat', phone: `+1202555${8000 + i}`, appointment: '9:00' } }));
    await stack.api.outbound.postOutboundContactlistContacts(handle.contactListId, priority, { priority: true });
    // The contacts are committed: every dispatch from now on sees them (pacing instants are the database's clock).
    const [{ added }] = await sql<{ added: Date }>('SELECT clock_timestamp() AS added');
    const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 180_000 });
    expect(outcome.status).toBe('complete');
    expect(outcome.progress.totalNumberOfContacts).toBe(105);

    const rows = await sql<{ contact_id: string; at: Date }>(
      'SELECT rc.contact_id, rc.dispatched_at AS at FROM contacts.run_contact rc JOIN contacts.dispatch_run r USING (run_id) WHERE r.campaign_id = $1',
      [handle.campaignId],
    );
    const lastPriority = Math.max(...rows.filter((r) => r.contact_id.startsWith('p')).map((r) => r.at.getTime()));
    const regularLater = rows.filter((r) => !r.contact_id.startsWith('p') && r.at.getTime() > added.getTime());
    expect(regularLater.length).toBeGreaterThan(50); // they really were added mid-run
    expect(regularLater.filter((r) => r.at.getTime() < lastPriority)).toEqual([]);
  });
});

describe('pacing with two contacts instances', () => {
  it('keeps the campaign to its rate: no one-second window above 1.1× (the pace is shared, not per instance)', async () => {
    // A second contacts process on the same database and topics (port base + 51).
    const spec = SERVICES.find((x) => x.name === 'contacts')!;
    const port = stack.settings.portBase + 51;
    const second = spawn(process.execPath, [entryOf('contacts')], { env: { ...process.env, ...envFor(stack.settings, spec), PORT: String(port) }, stdio: 'ignore' });
    const exited = new Promise((r) => second.once('exit', r));
    try {
      for (let deadline = Date.now() + 300_000; ; ) {
        const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
        if (ready) break;
        if (Date.now() > deadline) throw new Error('the second contacts instance did not become ready');
        await new Promise((r) => setTimeout(r, 500));
      }
      const handle = await prepareSmsCampaign(stack.api, { contacts: 200, messagesPerMinute: 600, name: `two instances ${randomUUID()}` });
      await setCampaignStatus(stack.api, handle.campaignId, 'on');
      const outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: 180_000 });
      expect(outcome.status).toBe('complete');
      const times = (
        await sql<{ at: Date }>('SELECT rc.dispatched_at AS at FROM contacts.run_contact rc JOIN contacts.dispatch_run r USING (run_id) WHERE r.campaign_id = $1', [handle.campaignId])
      )
        .map((r) => r.at.getTime())
        .sort((a, b) => a - b);
      expect(times).toHaveLength(200);
      // At 600/min (10/s) a one-second window holds at most 11: with a bucket per instance, up to 22.
      let largest = 0;
      for (let lo = 0, hi = 0; hi < times.length; hi++) {
        while (times[hi]! - times[lo]! >= 1_000) lo++;
        largest = Math.max(largest, hi - lo + 1);
      }
      expect(largest).toBeLessThanOrEqual(11);
    } finally {
      second.kill('SIGTERM');
      await exited;
    }
  });
});

