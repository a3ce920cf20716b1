import { applyProviderEvents, DeliveryRecord, ProviderEvent, RESOLVED_BY_EVENT_DETAIL } from './delivery-state';

const ID = '3f0b8d5e-8a51-4c57-9d0e-1c1d2f9e7a10';
const fresh: DeliveryRecord = { sendState: 'accepted', providerMessageId: 'p-1', delivery: null, deliveryReason: null, engagement: [] };
let clock = 0;
const ev = (kind: ProviderEvent['kind'], extra: Partial<ProviderEvent> = {}): ProviderEvent => ({
  messageId: ID,
  kind,
  occurredAt: new Date(Date.UTC(2026, 0, 1) + ++clock * 1000).toISOString(),
  ...extra,
});

/** Applies events one post at a time (as they arrive over HTTP); answers the final record and every outcome published. */
function deliverOneByOne(events: ProviderEvent[], start = fresh) {
  let record = start;
  const published: string[] = [];
  for (const e of events) {
    const r = applyProviderEvents(record, [e]);
    record = r.record;
    published.push(...r.steps.map((s) => (s.reason ? `${s.outcome}:${s.reason}` : s.outcome)));
  }
  return { record, published };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('applyProviderEvents', () => {
  it('publishes a delivery once; duplicates publish nothing', () => {
    const delivered = ev('delivered');
    expect(deliverOneByOne([ev('sent'), delivered, delivered, ev('sent')])).toEqual({ record: { ...fresh, delivery: 'delivered' }, published: ['delivered'] });
  });

  it('ends in the strongest receipt whatever the order: bounced after delivered is bounced, complaint beats all', () => {
    const email = [ev('sent'), ev('delivered'), ev('bounced', { reason: 'Permanent/General' }), ev('complained', { reason: 'abuse' })];
    for (const order of permutations(email)) expect(deliverOneByOne(order).record.delivery).toBe('complained');
    for (const order of permutations(email.slice(0, 3))) {
      const { record, published } = deliverOneByOne(order);
      expect(record).toMatchObject({ delivery: 'bounced', deliveryReason: 'Permanent/General' });
      expect(published.filter((p) => p.startsWith('bounced'))).toEqual(['bounced:Permanent/General']);
    }
    // An SMS failure after a delivery report (or before it) is the failure.
    for (const order of permutations([ev('delivered'), ev('undelivered', { reason: 'TEXT_CARRIER_UNREACHABLE' })])) {
      expect(deliverOneByOne(order).record).toMatchObject({ delivery: 'undelivered', deliveryReason: 'TEXT_CARRIER_UNREACHABLE' });
    }
  });

  it('never publishes a weaker receipt after a stronger one', () => {
    const { published } = deliverOneByOne([ev('bounced', { reason: 'Permanent/General' }), ev('delivered'), ev('undelivered')]);
    expect(published).toEqual(['bounced:Permanent/General']);
  });

  it('applies a batch holding duplicates and reordered events like one-by-one delivery', () => {
    const d = ev('delivered');
    const b = ev('bounced', { reason: 'Transient/MailboxFull' });
    const { record, steps } = applyProviderEvents(fresh, [b, d, b, d]);
    expect(record.delivery).toBe('bounced');
    expect(steps.map((s) => s.outcome)).toEqual(['delivered', 'bounced']);
  });

  it('records `unknown` only while there is no word; any receipt replaces it later', () => {
    const timedOut = { ...fresh, delivery: 'unknown', deliveryReason: 'delivery.timeout' };
    expect(deliverOneByOne([ev('unknown', { reason: 'TEXT_UNKNOWN' })], timedOut).published).toEqual([]);
    expect(deliverOneByOne([ev('delivered')], timedOut)).toMatchObject({ record: { delivery: 'delivered' }, published: ['delivered'] });
    expect(deliverOneByOne([ev('delivered'), ev('unknown', { reason: 'TEXT_UNKNOWN' })]).record.delivery).toBe('delivered');
    expect(deliverOneByOne([ev('unknown', { reason: 'TEXT_UNKNOWN' })]).published).toEqual(['unknown:TEXT_UNKNOWN']);
  });

  it('reports each engagement once and keeps the receipt', () => {
    const { record, published } = deliverOneByOne([ev('delivered'), ev('opened'), ev('clicked'), ev('opened'), ev('clicked')]);
    expect(published).toEqual(['delivered', 'opened', 'clicked']);
    expect(record).toMatchObject({ delivery: 'delivered', engagement: ['opened', 'clicked'] });
  });

  it('resolves an ambiguous send: the first event makes it accepted, with the provider id', () => {
    const ambiguous: DeliveryRecord = { sendState: 'unknown', providerMessageId: null, delivery: null, deliveryReason: null, engagement: [] };
    const { record, steps } = applyProviderEvents(ambiguous, [ev('sent', { providerMessageId: 'p-9' }), ev('delivered', { providerMessageId: 'p-9' })]);
    expect(record).toMatchObject({ sendState: 'accepted', providerMessageId: 'p-9', delivery: 'delivered' });
    expect(steps).toMatchObject([{ outcome: 'accepted', detail: RESOLVED_BY_EVENT_DETAIL, providerMessageId: 'p-9' }, { outcome: 'delivered' }]);
    // Resolved once: a later event does not publish `accepted` again.
    expect(applyProviderEvents(record, [ev('delivered')]).steps).toEqual([]);
  });

  it('carries the suppression of a hard bounce with its step, and none for a step not taken', () => {
    const suppress = [{ address: 'bounce@simulator.amazonses.com', reason: 'bounce' as const, source: 'ses:bounce:Permanent/General' }];
    const first = applyProviderEvents(fresh, [ev('bounced', { reason: 'Permanent/General', suppress })]);
    expect(first.steps[0]!.suppress).toEqual(suppress);
    expect(applyProviderEvents(first.record, [ev('bounced', { reason: 'Permanent/General', suppress })]).steps).toEqual([]);
  });
});
