import { PreviewTally } from './preview-tally';

describe('PreviewTally', () => {
  const DNC_A = '00000000-0000-4000-8000-00000000000a';
  const DNC_B = '00000000-0000-4000-8000-00000000000b';

  it('adds up audience, skips by reason and DNC list, failures, unresolved variables, encodings and the ETA', () => {
    const t = new PreviewTally('sms');
    t.addAudience(9, 2);
    t.addInvalidAddresses(1);
    for (const d of [
      { cleared: false as const, reason: 'suppressed' },
      { cleared: false as const, reason: 'dnc', dncListId: DNC_B },
      { cleared: true as const },
      { cleared: true as const },
      { cleared: true as const },
      { cleared: true as const },
      { cleared: true as const },
    ])
      t.addFilterDecision(d);
    t.addRender({ ok: false, reason: 'render-failed', missing: ['appointment', 'city'] });
    t.addRender({ ok: false, reason: 'render-failed', missing: ['appointment'] });
    t.addRender({ ok: true, encoding: 'GSM-7', segments: 1 });
    t.addRender({ ok: true, encoding: 'GSM-7', segments: 2 });
    t.addRender({ ok: true, encoding: 'UCS-2', segments: 3 });

    expect(t.result({ messagesPerMinute: 120, dncListIds: [DNC_A, DNC_B] })).toEqual({
      totalNumberOfContacts: 9,
      numberOfContactsFilteredOut: 2,
      numberOfContactsToMessage: 3,
      numberOfContactsSkipped: { 'invalid-address': 1, suppressed: 1, dnc: 1 },
      dncLists: [
        { id: DNC_A, selfUri: `/api/v2/outbound/dnclists/${DNC_A}`, numberOfContactsSkipped: 0 },
        { id: DNC_B, selfUri: `/api/v2/outbound/dnclists/${DNC_B}`, numberOfContactsSkipped: 1 },
      ],
      numberOfContactsFailed: { 'render-failed': 2 },
      unresolvedVariables: [
        { name: 'appointment', numberOfContacts: 2 },
        { name: 'city', numberOfContacts: 1 },
      ],
      sms: { totalSegments: 6, byEncoding: { 'GSM-7': { numberOfContacts: 2, segments: 3 }, 'UCS-2': { numberOfContacts: 1, segments: 3 } } },
      messagesPerMinute: 120,
      // Seven contacts with an address take pacing slots, 0.5 s apart: the last goes at 3 s.
      estimatedDurationSeconds: 3,
    });
  });

  it('an empty audience takes no time and messages nobody', () => {
    const r = new PreviewTally('sms').result({ messagesPerMinute: 1, dncListIds: [] });
    expect(r).toMatchObject({ totalNumberOfContacts: 0, numberOfContactsToMessage: 0, numberOfContactsSkipped: {}, estimatedDurationSeconds: 0, sms: { totalSegments: 0, byEncoding: {} } });
  });

  it('for an email campaign: no SMS figures, and the parts of the email that lack each unresolved variable', () => {
    const t = new PreviewTally('email');
    t.addAudience(4, 0);
    for (let i = 0; i < 4; i++) t.addFilterDecision({ cleared: true });
    t.addRender({ ok: true });
    t.addRender({ ok: false, reason: 'render-failed', missing: ['orderId'], missingIn: { subject: ['orderId'], html: ['orderId'] } });
    t.addRender({ ok: false, reason: 'render-failed', missing: ['orderId', 'date'], missingIn: { text: ['orderId', 'date'] } });
    t.addRender({ ok: false, reason: 'message-too-long' });
    expect(t.result({ messagesPerMinute: 60, dncListIds: [] })).toMatchObject({
      numberOfContactsToMessage: 1,
      numberOfContactsFailed: { 'render-failed': 2, 'message-too-long': 1 },
      unresolvedVariables: [
        { name: 'date', numberOfContacts: 1, parts: ['text'] },
        { name: 'orderId', numberOfContacts: 2, parts: ['html', 'subject', 'text'] },
      ],
      sms: null,
      estimatedDurationSeconds: 3,
    });
  });
});
