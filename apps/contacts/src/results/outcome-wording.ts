/** What the contact_result row says about a contact's last attempt on a channel. */
export interface RecordedOutcome {
  outcome: string;
  reason: string | null;
  dncListId: string | null;
}

/**
 * A result worded for people (the export's `last…Outcome` columns): `messaged`,
 * `rejected by aggregator`, `skipped: DNC (list <id>)`, `skipped: opted out`,
 * `skipped: invalid address`, `failed: <reason>`, `delivered`, `bounced`, …
 */
export function describeOutcome(r: RecordedOutcome): string {
  switch (r.outcome) {
    case 'accepted':
      return 'messaged';
    case 'rejected':
      return 'rejected by aggregator';
    case 'skipped':
      switch (r.reason) {
        case 'dnc':
          return r.dncListId ? `skipped: DNC (list ${r.dncListId})` : 'skipped: DNC';
        case 'suppressed':
          return 'skipped: opted out';
        case 'invalid-address':
          return 'skipped: invalid address';
        default:
          return r.reason ? `skipped: ${r.reason}` : 'skipped';
      }
    case 'failed':
      return r.reason ? `failed: ${r.reason}` : 'failed';
    case 'unknown':
      // The provider may or may not have taken it; Herald never resends such a message.
      return r.reason ? `unknown: ${r.reason}` : 'unknown';
    default:
      // delivered, undelivered, bounced, complained, opened, clicked: the provider's own word.
      return r.outcome;
  }
}
