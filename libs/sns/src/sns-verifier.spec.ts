import { createSelfSignedSnsSigner, SnsSigner, snsNotification, UnsignedSnsMessage } from './sns-signer';
import { SnsMessage, SnsMessageError, snsStringToSign } from './sns-message';
import { SnsVerifier } from './sns-verifier';

const PREFIX = 'https://sns.us-east-1.amazonaws.com/';
const CERT_URL = `${PREFIX}SimpleNotificationService-0000.pem`;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:herald-sms-events';

let signer: SnsSigner;
let impostor: SnsSigner;

beforeAll(async () => {
  [signer, impostor] = await Promise.all([createSelfSignedSnsSigner(), createSelfSignedSnsSigner('impostor')]);
});

function verifier(options: { topics?: string[]; certificates?: Record<string, string> } = {}) {
  const fetched: string[] = [];
  const certificates = options.certificates ?? { [CERT_URL]: signer.certificatePem };
  const v = new SnsVerifier({
    trustedUrlPrefixes: [PREFIX],
    trustedTopicArns: options.topics,
    fetchText: async (url) => {
      fetched.push(url);
      const pem = certificates[url];
      if (pem === undefined) throw new Error('HTTP 404');
      return pem;
    },
  });
  return { v, fetched };
}

const notification = (): UnsignedSnsMessage => snsNotification(TOPIC, JSON.stringify({ eventType: 'TEXT_DELIVERED', context: { heraldMessageId: 'm-1' } }));

async function refusal(v: SnsVerifier, body: unknown): Promise<string> {
  try {
    await v.verify(body);
  } catch (e) {
    if (e instanceof SnsMessageError) return e.code;
    throw e;
  }
  return 'accepted';
}

describe('snsStringToSign', () => {
  it('lists the signed fields of a Notification in order, leaving out an absent Subject', () => {
    const m = { Type: 'Notification', MessageId: 'id', TopicArn: 't', Message: 'hello', Timestamp: '2026-01-01T00:00:00.000Z' } as const;
    expect(snsStringToSign(m)).toBe('Message\nhello\nMessageId\nid\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\nt\nType\nNotification\n');
    expect(snsStringToSign({ ...m, Subject: 's' })).toBe('Message\nhello\nMessageId\nid\nSubject\ns\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\nt\nType\nNotification\n');
  });

  it('signs SubscribeURL and Token of a subscription confirmation, never the UnsubscribeURL', () => {
    const m = { Type: 'SubscriptionConfirmation', MessageId: 'id', TopicArn: 't', Message: 'm', Timestamp: 'ts', SubscribeURL: 'u', Token: 'k' } as const;
    expect(snsStringToSign(m)).toBe('Message\nm\nMessageId\nid\nSubscribeURL\nu\nTimestamp\nts\nToken\nk\nTopicArn\nt\nType\nSubscriptionConfirmation\n');
    const n = notification();
    expect(snsStringToSign({ ...n, UnsubscribeURL: 'x' })).toBe(snsStringToSign({ ...n, UnsubscribeURL: 'y' }));
  });
});

describe('SnsVerifier', () => {
  it('accepts a message signed with SignatureVersion 2 (SHA256withRSA) or 1 (SHA1withRSA), as JSON text or object', async () => {
    const { v } = verifier();
    for (const version of ['1', '2'] as const) {
      const signed = signer.sign({ ...notification(), Subject: 'Amazon SNS' }, CERT_URL, version);
      await expect(v.verify(JSON.stringify(signed))).resolves.toEqual(signed);
      await expect(v.verify(signed)).resolves.toEqual(signed);
    }
  });

  it('fetches a certificate once and caches it', async () => {
    const { v, fetched } = verifier();
    for (let i = 0; i < 3; i++) await v.verify(signer.sign(notification(), CERT_URL));
    expect(fetched).toEqual([CERT_URL]);
  });

  it('does not cache a failed certificate fetch', async () => {
    const certificates: Record<string, string> = {};
    const { v, fetched } = verifier({ certificates });
    expect(await refusal(v, signer.sign(notification(), CERT_URL))).toBe('sns.certificate.unavailable');
    certificates[CERT_URL] = signer.certificatePem;
    expect(await refusal(v, signer.sign(notification(), CERT_URL))).toBe('accepted');
    expect(fetched).toEqual([CERT_URL, CERT_URL]);
  });

  it('refuses an unsigned message', async () => {
    const { v, fetched } = verifier();
    expect(await refusal(v, notification())).toBe('sns.signature.missing');
    const { Signature: _s, ...noSignature } = signer.sign(notification(), CERT_URL);
    expect(await refusal(v, noSignature)).toBe('sns.signature.missing');
    expect(fetched).toEqual([]);
  });

  it('refuses a tampered message: any signed field changed, or a Subject added', async () => {
    const { v } = verifier();
    const signed = signer.sign(notification(), CERT_URL);
    const tampered: Partial<SnsMessage>[] = [
      { Message: signed.Message.replace('TEXT_DELIVERED', 'TEXT_BLOCKED') },
      { MessageId: 'another-id' },
      { Timestamp: new Date(0).toISOString() },
      { TopicArn: `${TOPIC}-2` },
      { Subject: 'added' },
    ];
    for (const change of tampered) expect(await refusal(v, { ...signed, ...change })).toBe('sns.signature.invalid');
    // The signature itself: one character changed, truncated, garbage.
    const flipped = signed.Signature.slice(0, 20) + (signed.Signature[20] === 'A' ? 'B' : 'A') + signed.Signature.slice(21);
    for (const Signature of [flipped, signed.Signature.slice(0, 40), 'not base64 at all']) expect(await refusal(v, { ...signed, Signature })).toBe('sns.signature.invalid');
    // The version says SHA1 but the signature is SHA256.
    expect(await refusal(v, { ...signed, SignatureVersion: '1' })).toBe('sns.signature.invalid');
    expect(await refusal(v, { ...signed, SignatureVersion: '3' })).toBe('sns.signature.invalid');
  });

  it('refuses a message forged with another key behind the trusted certificate URL', async () => {
    const { v } = verifier();
    expect(await refusal(v, impostor.sign(notification(), CERT_URL))).toBe('sns.signature.invalid');
  });

  it('refuses certificates from untrusted places without fetching them', async () => {
    const { v, fetched } = verifier();
    const untrusted = [
      'https://evil.example/SimpleNotificationService-0000.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-0000.pem',
      'https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-0000.pem',
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.txt',
      'not a url',
    ];
    for (const url of untrusted) expect(await refusal(v, impostor.sign(notification(), url))).toBe('sns.certificate.untrusted');
    expect(fetched).toEqual([]);
  });

  it('refuses a message from a topic it does not trust, when topics are configured', async () => {
    const { v } = verifier({ topics: [`${TOPIC}-other`] });
    expect(await refusal(v, signer.sign(notification(), CERT_URL))).toBe('sns.topic.untrusted');
  });

  it('refuses bodies that are not SNS messages', async () => {
    const { v } = verifier();
    for (const body of ['{', '[]', { Type: 'Notification' }, { ...signer.sign(notification(), CERT_URL), Type: 'Other' }, { ...signer.sign(notification(), CERT_URL), Message: { nested: true } }]) {
      expect(await refusal(v, body)).toBe('sns.message.invalid');
    }
  });

  it('confirms a verified subscription by fetching its SubscribeURL, only if that URL is trusted', async () => {
    const subscribe = `${PREFIX}?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=abc`;
    const { v, fetched } = verifier({ certificates: { [CERT_URL]: signer.certificatePem, [subscribe]: '<ConfirmSubscriptionResponse/>' } });
    const confirmation = (url: string) =>
      signer.sign({ Type: 'SubscriptionConfirmation', MessageId: 'c-1', TopicArn: TOPIC, Message: 'You have chosen to subscribe', Timestamp: new Date().toISOString(), SubscribeURL: url, Token: 'abc' }, CERT_URL);
    await v.confirmSubscription(await v.verify(confirmation(subscribe)));
    expect(fetched).toEqual([CERT_URL, subscribe]);
    const evil = await v.verify(confirmation('https://evil.example/?Action=ConfirmSubscription'));
    await expect(v.confirmSubscription(evil)).rejects.toMatchObject({ code: 'sns.subscribe-url.untrusted' });
    expect(fetched).toHaveLength(2);
  });

  it('refuses to trust prefixes that could match another host', () => {
    expect(() => new SnsVerifier({ trustedUrlPrefixes: ['https://sns.us-east-1.amazonaws.com'] })).toThrow(/must end with a "\/" path/);
    expect(() => new SnsVerifier({ trustedUrlPrefixes: [] })).toThrow(/at least one/);
  });
});
