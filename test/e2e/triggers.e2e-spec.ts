// The trigger path, end to end: one message now, by REST (the official Genesys SDK's
// ConversationsApi.postConversationsMessagesAgentless) or by an event on herald.trigger.v1, through
// the campaign path (dispatch → dnc → templates → sms-gateway → the SMS simulator → results →
// reporting). Real broker, real PostgreSQL, every service its own process.
//
// The senders are provisioned in the gateways' registries (`POST /api/v2/routing/sms/phonenumbers`,
// `POST /api/v2/routing/email/outbound/domains`), which triggers asks with its own token. The sender
// check is the last check of a request, and its tests run last.
import { DeliveryResultV1, idempotentMessageId, triggerEventMessageId } from '@herald/contracts';
import { DLQ_HEADERS } from '@herald/messaging';
import { randomUUID } from 'node:crypto';
import { provisionSender } from '../../tools/demo/sms-campaign';
import { receivedBySesEmulator } from '../../tools/demo/email-campaign';
import { urlOf } from '../../tools/stack/services';
import { readTopic, flushedSimulatorLog, startTestStack, TestStack } from './support/test-stack';

const SENDER = '+12025550100';
const UNPROVISIONED_SENDER = '+12025550199';
const EMAIL_DOMAIN = 'notify.example.com';

interface Dispatched {
  messageId: string;
  channel: string;
  address: string;
  senderAddress: string;
  body?: string;
  templateId?: string;
  contactData: Record<string, string>;
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 26080 });
  await provisionSender(stack.api, SENDER);
  await stack.api.routing.postRoutingEmailOutboundDomains({ id: EMAIL_DOMAIN, name: EMAIL_DOMAIN } as never);
});

afterAll(async () => {
  await stack?.close();
});

/** The terminal results of the given messages on the public delivery-result topic. */
async function resultsFor(messageIds: string[]): Promise<Map<string, DeliveryResultV1[]>> {
  const wanted = new Set(messageIds);
  const byMessage = new Map<string, DeliveryResultV1[]>();
  await readTopic<DeliveryResultV1>(stack, 'herald.delivery.result.v1', (records) => {
    byMessage.clear();
    for (const r of records) {
      const v = r.value as DeliveryResultV1;
      if (typeof v === 'object' && wanted.has(v.messageId)) byMessage.set(v.messageId, [...(byMessage.get(v.messageId) ?? []), v]);
    }
    return byMessage.size === wanted.size;
  });
  return byMessage;
}

/** Every dispatched message so far: the topic read up to its current end. */
async function dispatchedRecords(): Promise<Dispatched[]> {
  const admin = stack.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(`${stack.settings.topicPrefix}herald.contact.dispatch.v1`);
  await admin.disconnect();
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  // Counted in Kafka records: a batched record holds many events.
  const records = await readTopic<Dispatched>(stack, 'herald.contact.dispatch.v1', (r) => new Set(r.map((e) => `${e.partition}/${e.offset}`)).size >= total, 30_000);
  return records.map((r) => r.value as Dispatched);
}

/** How many times the simulator accepted this message. */
async function sentTimes(messageId: string): Promise<number> {
  return (await flushedSimulatorLog(stack)).filter((m) => m.context?.['heraldMessageId'] === messageId).length;
}

/** The error body the API answers a request with (through the SDK, which rejects with it). */
async function refusalOf(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; code: string; message: string }> {
  try {
    await stack.api.conversations.postConversationsMessagesAgentless(body as never, { customHeaders: headers });
  } catch (e) {
    const error = e as { status?: unknown; code: string; message: string };
    if (typeof error.status === 'number') return error as { status: number; code: string; message: string };
    throw e;
  }
  throw new Error('the request was accepted');
}

async function smsTemplate(content: string, substitutions: { id: string; defaultValue?: string }[], responseType = 'CampaignSmsTemplate'): Promise<string> {
  const t = await stack.api.responses.postResponsemanagementResponses({
    name: `trigger ${randomUUID().slice(0, 6)}`,
    libraries: [{ id: 'triggers' }],
    responseType,
    // An email template also needs its subject (a text of type "subject").
    texts: responseType === 'CampaignEmailTemplate' ? [{ content: 'Hello', contentType: 'text/plain', type: 'subject' }, { content, contentType: 'text/plain', type: 'body' }] : [{ content, contentType: 'text/plain' }],
    substitutions,
  } as never);
  return t.id!;
}

describe('agentless API', () => {
  it('sends an SMS with a textBody: answered with ids once accepted, accepted by the provider, reported', async () => {
    const sent = await stack.api.conversations.postConversationsMessagesAgentless({
      fromAddress: SENDER,
      toAddress: '+1 202-555-0147',
      toAddressMessengerType: 'sms',
      textBody: 'Your verification code is 481516. It expires in 10 minutes.',
    });
    expect(sent.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.conversationId).toBe(sent.id);
    expect(new Date(sent.timestamp!).toISOString()).toBe(sent.timestamp);
    expect(sent.toAddress).toBe('+12025550147'); // normalised to E.164
    expect(sent.messengerType).toBe('sms');

    const results = await resultsFor([sent.id!]);
    expect(results.get(sent.id!)!.map((r) => r.outcome)).toEqual(['accepted']);
    expect(results.get(sent.id!)![0]!.campaignId).toBeUndefined();

    const atSimulator = (await flushedSimulatorLog(stack)).filter((m) => m.context?.['heraldMessageId'] === sent.id);
    expect(atSimulator).toHaveLength(1);
    expect(atSimulator[0]!.destination).toBe('+12025550147');
    expect(atSimulator[0]!.body).toBe('Your verification code is 481516. It expires in 10 minutes.');

    let report: Record<string, unknown> = {};
    for (let i = 0; i < 100 && report['outcome'] !== 'accepted'; i++) {
      const res = await stack.fetch(`/api/v2/herald/messages/${sent.id}`);
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) report = body;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(report).toMatchObject({ id: sent.id, channel: 'sms', outcome: 'accepted' });
  });

  it('sends an SMS from a template, filled with the parameters and the defaults', async () => {
    const templateId = await smsTemplate('Hi {{name}}, order {{orderNumber}} ships {{day}}.', [{ id: 'name', defaultValue: 'there' }, { id: 'orderNumber' }, { id: 'day' }]);
    const sent = await stack.api.conversations.postConversationsMessagesAgentless({
      fromAddress: SENDER,
      toAddress: '+12025550148',
      toAddressMessengerType: 'sms',
      messagingTemplate: { responseId: templateId, parameters: [{ id: 'orderNumber', value: 'A-10023' }, { id: 'day', value: 'today' }] },
    });
    const results = await resultsFor([sent.id!]);
    expect(results.get(sent.id!)!.map((r) => r.outcome)).toEqual(['accepted']);
    const atSimulator = (await flushedSimulatorLog(stack)).find((m) => m.context?.['heraldMessageId'] === sent.id);
    expect(atSimulator?.body).toBe('Hi there, order A-10023 ships today.');
  });

  it('answers a retry with the same Idempotency-Key with the first answer and sends one message; refuses the key for another request', async () => {
    const key = `order-${randomUUID()}`;
    const body = { fromAddress: SENDER, toAddress: '+12025550149', toAddressMessengerType: 'sms', textBody: 'Your parcel is on its way.' };
    const first = await stack.api.conversations.postConversationsMessagesAgentless(body, { customHeaders: { 'Idempotency-Key': key } });
    const retry = await stack.api.conversations.postConversationsMessagesAgentless(body, { customHeaders: { 'Idempotency-Key': key } });
    expect(retry).toEqual(first);
    expect(first.id).toBe(idempotentMessageId(key, stack.settings.bootstrapClient.id)); // deterministic: the send ledger recognises a redelivery

    const other = await refusalOf({ ...body, textBody: 'Something else entirely.' }, { 'Idempotency-Key': key });
    expect(other).toMatchObject({ code: 'idempotency.key.reused', status: 422 });
    expect(other.message).toContain(key);

    const results = await resultsFor([first.id!]);
    expect(results.get(first.id!)!.map((r) => r.outcome)).toEqual(['accepted']);
    const dispatched = await dispatchedRecords();
    expect(dispatched.filter((d) => d.messageId === first.id)).toHaveLength(1);
    expect(await sentTimes(first.id!)).toBe(1);
  });

  describe('refuses, with a 400 naming the field', () => {
    const valid = { fromAddress: SENDER, toAddress: '+12025550150', toAddressMessengerType: 'sms', textBody: 'Hello' };
    let emailTemplateId: string;
    let smsTemplateId: string;
    beforeAll(async () => {
      emailTemplateId = await smsTemplate('Hello {{name}}', [{ id: 'name' }], 'CampaignEmailTemplate');
      smsTemplateId = await smsTemplate('Code {{code}} for {{name}}', [{ id: 'code' }, { id: 'name', defaultValue: 'you' }]);
    });

    const cases: [string, () => Record<string, unknown>, string, string?, Record<string, string>?][] = [
      ['a missing fromAddress', () => ({ ...valid, fromAddress: undefined }), 'fromAddress'],
      ['a missing toAddress', () => ({ ...valid, toAddress: undefined }), 'toAddress'],
      ['an unknown messenger type', () => ({ ...valid, toAddressMessengerType: 'fax' }), 'toAddressMessengerType'],
      ['an unknown property', () => ({ ...valid, priority: 'high' }), 'priority'],
      ['a toAddress that is not a phone number', () => ({ ...valid, toAddress: 'call me maybe' }), 'toAddress', 'invalid.to.address'],
      ['a toAddress without its country code', () => ({ ...valid, toAddress: '2025550150' }), 'toAddress', 'invalid.to.address'],
      ['a fromAddress that is not E.164', () => ({ ...valid, fromAddress: 'Herald' }), 'fromAddress', 'invalid.from.address'],
      ['an SMS body over 765 characters', () => ({ ...valid, textBody: 'x'.repeat(766) }), 'textBody', 'message.too.long'],
      ['neither textBody nor messagingTemplate', () => ({ ...valid, textBody: undefined }), 'textBody', 'body.required'],
      ['both textBody and messagingTemplate', () => ({ ...valid, messagingTemplate: { responseId: smsTemplateId, parameters: [{ id: 'code', value: '1' }] } }), 'textBody', 'body.ambiguous'],
      ['a template that does not exist', () => ({ ...valid, textBody: undefined, messagingTemplate: { responseId: randomUUID() } }), 'messagingTemplate.responseId', 'template.not.found'],
      ['an email template for an SMS', () => ({ ...valid, textBody: undefined, messagingTemplate: { responseId: emailTemplateId, parameters: [{ id: 'name', value: 'Ada' }] } }), 'messagingTemplate.responseId', 'template.wrong.type'],
      ['a template parameter without value and default', () => ({ ...valid, textBody: undefined, messagingTemplate: { responseId: smsTemplateId } }), 'messagingTemplate.parameters', 'template.parameter.missing'],
      ['a parameter the template does not have', () => ({ ...valid, textBody: undefined, messagingTemplate: { responseId: smsTemplateId, parameters: [{ id: 'code', value: '1' }, { id: 'coupon', value: 'X' }] } }), 'messagingTemplate.parameters[1].id', 'template.parameter.unknown'],
      ['a parameter without value', () => ({ ...valid, textBody: undefined, messagingTemplate: { responseId: smsTemplateId, parameters: [{ id: 'code' }] } }), 'messagingTemplate.parameters.0.value'],
      ['an externalContactId', () => ({ ...valid, externalContactId: randomUUID() }), 'externalContactId', 'external.contact.unsupported'],
      ['an Idempotency-Key with spaces', () => valid, 'Idempotency-Key', 'invalid.idempotency.key', { 'Idempotency-Key': 'not a key' }],
    ];

    // Every row padded to the same length: jest hands a `done` callback to a test whose row is shorter than its parameters.
    const rows = cases.map(([name, body, field, code, headers]) => [name, body, field, code ?? 'bad.request', headers ?? {}] as const);
    it.each(rows)('%s', async (_name, body, field, code, headers) => {
      const refusal = await refusalOf(body(), headers);
      expect(refusal.status).toBe(400);
      expect(refusal.message).toContain(field);
      expect(refusal.code).toBe(code);
    });
  });
});

describe('trigger topic', () => {
  const SOURCE = '/shop/orders';
  const topic = () => `${stack.settings.topicPrefix}herald.trigger.v1`;
  const binaryHeaders = (id: string, source = SOURCE) => ({ 'content-type': 'application/json', ce_specversion: '1.0', ce_id: id, ce_source: source, ce_type: 'io.herald.trigger.message.v1' });

  it('dead-letters bad events with their reason and sends the good ones after them, each once', async () => {
    const templateId = await smsTemplate('Order {{orderNumber}} has shipped.', [{ id: 'orderNumber' }]);
    const valid = { fromAddress: SENDER, toAddress: '+12025550151', toAddressMessengerType: 'sms', textBody: 'Your table is ready.' };
    const ids = { badJson: randomUUID(), schema: randomUUID(), template: randomUUID(), binary: randomUUID(), structured: randomUUID(), last: randomUUID() };
    const structuredKey = `shipment-${randomUUID()}`;
    const structured = {
      specversion: '1.0',
      id: ids.structured,
      source: SOURCE,
      type: 'io.herald.trigger.message.v1',
      datacontenttype: 'application/json',
      data: { fromAddress: SENDER, toAddress: '+12025550152', toAddressMessengerType: 'sms', messagingTemplate: { responseId: templateId, parameters: [{ id: 'orderNumber', value: 'B-7' }] }, idempotencyKey: structuredKey },
    };
    const producer = stack.kafka.producer();
    await producer.connect();
    // One key: one partition, so the good events queue behind the bad ones.
    const key = 'customer-42';
    await producer.send({
      topic: topic(),
      acks: -1,
      messages: [
        { key, value: '{"fromAddress": ', headers: binaryHeaders(ids.badJson) },
        { key, value: JSON.stringify({ ...valid, toAddress: undefined }), headers: binaryHeaders(ids.schema) },
        { key, value: JSON.stringify({ ...valid, textBody: undefined, messagingTemplate: { responseId: randomUUID() } }), headers: binaryHeaders(ids.template) },
        { key, value: JSON.stringify(valid), headers: binaryHeaders(ids.binary) },
        { key, value: JSON.stringify(structured), headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } },
        // The same event again (same source and id), and the structured one's idempotency key again.
        { key, value: JSON.stringify(valid), headers: binaryHeaders(ids.binary) },
        { key, value: JSON.stringify({ ...structured, id: randomUUID() }), headers: { 'content-type': 'application/cloudevents+json' } },
        // Its result means everything before it in the partition has been handled.
        { key, value: JSON.stringify({ ...valid, toAddress: '+12025550155' }), headers: binaryHeaders(ids.last) },
      ],
    });
    await producer.disconnect();

    const dead = await readTopic(stack, 'herald.deadletter.v1', (r) => r.filter((x) => x.headers[DLQ_HEADERS.topic] === topic()).length >= 3, 60_000);
    const reasons = new Map(dead.filter((x) => x.headers[DLQ_HEADERS.topic] === topic()).map((x) => [x.headers['ce_id'], x.headers]));
    expect(reasons.size).toBe(3);
    expect(reasons.get(ids.badJson)).toMatchObject({ [DLQ_HEADERS.stage]: 'decode', [DLQ_HEADERS.reason]: expect.stringMatching(/^value is not valid JSON/) });
    expect(reasons.get(ids.schema)).toMatchObject({ [DLQ_HEADERS.stage]: 'validate', [DLQ_HEADERS.reason]: expect.stringContaining('toAddress') });
    expect(reasons.get(ids.template)).toMatchObject({ [DLQ_HEADERS.stage]: 'handle', [DLQ_HEADERS.reason]: expect.stringMatching(/^template\.not\.found: messagingTemplate\.responseId/) });

    const binaryMessage = triggerEventMessageId(SOURCE, ids.binary);
    const structuredMessage = idempotentMessageId(structuredKey);
    const lastMessage = triggerEventMessageId(SOURCE, ids.last);
    const results = await resultsFor([binaryMessage, structuredMessage, lastMessage]);
    expect(results.get(binaryMessage)!.map((r) => r.outcome)).toEqual(['accepted']);
    expect(results.get(structuredMessage)!.map((r) => r.outcome)).toEqual(['accepted']);
    expect(results.get(lastMessage)!.map((r) => r.outcome)).toEqual(['accepted']);
    expect((await flushedSimulatorLog(stack)).find((m) => m.context?.['heraldMessageId'] === structuredMessage)?.body).toBe('Order B-7 has shipped.');

    // The duplicates were recognised before dispatch: one dispatched event, one SMS each.
    const dispatched = await dispatchedRecords();
    expect(dispatched.filter((d) => d.messageId === binaryMessage)).toHaveLength(1);
    expect(dispatched.filter((d) => d.messageId === structuredMessage)).toHaveLength(1);
    expect(await sentTimes(binaryMessage)).toBe(1);
    expect(await sentTimes(structuredMessage)).toBe(1);
  });
});

describe('email', () => {
  it('sends an agentless email from a template, through the email gateway to SES; a textBody email is refused', async () => {
    const t = await stack.api.responses.postResponsemanagementResponses({
      name: `trigger email ${randomUUID().slice(0, 6)}`,
      libraries: [{ id: 'triggers' }],
      responseType: 'CampaignEmailTemplate',
      texts: [
        { type: 'subject', contentType: 'text/plain', content: 'Receipt {{orderId}}' },
        { type: 'body', contentType: 'text/plain', content: 'Thank you, {{name}}, for order {{orderId}}.' },
      ],
      substitutions: [{ id: 'orderId' }, { id: 'name', defaultValue: 'customer' }],
    } as never);
    const sent = await stack.api.conversations.postConversationsMessagesAgentless({
      fromAddress: `Receipts@${EMAIL_DOMAIN.toUpperCase()}`,
      toAddress: ' ada@Example.org ',
      toAddressMessengerType: 'email',
      messagingTemplate: { responseId: t.id!, parameters: [{ id: 'orderId', value: 'A-1001' }] },
    } as never);
    expect(sent).toMatchObject({ messengerType: 'email', toAddress: 'ada@example.org', fromAddress: `Receipts@${EMAIL_DOMAIN}` });
    const dispatched = await dispatchedRecords();
    expect(dispatched.find((d) => d.messageId === sent.id)).toMatchObject({ channel: 'email', address: 'ada@example.org', senderAddress: `Receipts@${EMAIL_DOMAIN}`, templateId: t.id });

    const results = await resultsFor([sent.id!]);
    expect(results.get(sent.id!)?.map((r) => r.outcome)).toEqual(['accepted']);
    const received = (await receivedBySesEmulator(urlOf(stack.settings, 'ses-emulator'))).filter((e) => e.destination.to.some((to) => to.includes('ada@example.org')));
    expect(received).toHaveLength(1);
    expect(received[0]!.subject).toBe('Receipt A-1001');
    expect(received[0]!.body.text).toContain('Thank you, customer, for order A-1001.');

    const refused = await refusalOf({ fromAddress: `receipts@${EMAIL_DOMAIN}`, toAddress: 'ada@example.org', toAddressMessengerType: 'email', textBody: 'Thanks' });
    expect(refused).toMatchObject({ status: 400, code: 'body.template.required' });
  });
});

// Last: the sender check asks the gateways' registries (see the note at the top).
describe('senders', () => {
  it('refuses an SMS from a number that is not provisioned, and an email from a domain that is not', async () => {
    const sms = await refusalOf({ fromAddress: UNPROVISIONED_SENDER, toAddress: '+12025550153', toAddressMessengerType: 'sms', textBody: 'Hi' });
    expect(sms).toMatchObject({ status: 400, code: 'sender.not.provisioned' });
    expect(sms.message).toMatch(/^fromAddress: /);

    const emailTemplate = await smsTemplate('Hi', [], 'CampaignEmailTemplate');
    const email = await refusalOf({ fromAddress: 'news@unknown.example.net', toAddress: 'ada@example.org', toAddressMessengerType: 'email', messagingTemplate: { responseId: emailTemplate } });
    expect(email).toMatchObject({ status: 400, code: 'sender.not.provisioned' });
  });

  it('dead-letters a trigger event from an unprovisioned sender', async () => {
    const id = randomUUID();
    const producer = stack.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${stack.settings.topicPrefix}herald.trigger.v1`,
      acks: -1,
      messages: [
        {
          key: 'x',
          value: JSON.stringify({ fromAddress: UNPROVISIONED_SENDER, toAddress: '+12025550154', toAddressMessengerType: 'sms', textBody: 'Hi' }),
          headers: { 'content-type': 'application/json', ce_specversion: '1.0', ce_id: id, ce_source: '/crm', ce_type: 'io.herald.trigger.message.v1' },
        },
      ],
    });
    await producer.disconnect();
    const dead = await readTopic(stack, 'herald.deadletter.v1', (r) => r.some((x) => x.headers['ce_id'] === id), 60_000);
    expect(dead.find((x) => x.headers['ce_id'] === id)?.headers[DLQ_HEADERS.reason]).toMatch(/^sender\.not\.provisioned: fromAddress: /);
  });
});
