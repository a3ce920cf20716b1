import { PreviewTally } from './preview-tally';

describe('PreviewTally', () => {
  const DNC_A = '00000000-0000-4000-8000-00000000000a';
  const DNC_B = '00000000-0000-4000-8000-00000000000b';

  it('adds up audience, skips by reason and DNC list, failures, unresolved variables, encodings and the ETA', () => {
    const t = new PreviewTally();
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
    const r = new PreviewTally().result({ messagesPerMinute: 1, dncListIds: [] });
    expect(r).toMatchObject({ totalNumberOfContacts: 0, numberOfContactsToMessage: 0, numberOfContactsSkipped: {}, estimatedDurationSeconds: 0, sms: { totalSegments: 0, byEncoding: {} } });
  });
});
