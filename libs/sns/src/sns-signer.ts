import { createPrivateKey, KeyObject, randomUUID, sign, webcrypto } from 'node:crypto';
import { SIGNATURE_ALGORITHMS, SnsMessage, snsStringToSign } from './sns-message';

/** A message before signing: what a publisher (SNS, or a local simulator) fills in. */
export type UnsignedSnsMessage = Omit<SnsMessage, 'Signature' | 'SignatureVersion' | 'SigningCertURL'>;

/** A Notification carrying `message` (JSON text) from `topicArn`, with a new MessageId and the current time. */
export function snsNotification(topicArn: string, message: string, subject?: string): UnsignedSnsMessage {
  const MessageId = randomUUID();
  return {
    Type: 'Notification',
    MessageId,
    TopicArn: topicArn,
    ...(subject !== undefined ? { Subject: subject } : {}),
    Message: message,
    Timestamp: new Date().toISOString(),
    UnsubscribeURL: `https://sns.invalid/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(topicArn)}:${MessageId}`,
  };
}

/**
 * Signs messages the way SNS does (RSA over the canonical string, SHA256withRSA for
 * SignatureVersion 2, SHA1withRSA for 1) with a key whose certificate is served at the
 * SigningCertURL the signer is given. For local simulators and tests; SNS signs real messages.
 */
export class SnsSigner {
  constructor(
    private readonly privateKey: KeyObject,
    /** The certificate (PEM) a verifier must fetch from `signingCertUrl`. */
    readonly certificatePem: string,
  ) {}

  sign(message: UnsignedSnsMessage, signingCertUrl: string, signatureVersion: '1' | '2' = '2'): SnsMessage {
    const algorithm = SIGNATURE_ALGORITHMS[signatureVersion]!;
    const signed = { ...message, SignatureVersion: signatureVersion, SigningCertURL: signingCertUrl };
    const Signature = sign(algorithm, Buffer.from(snsStringToSign(signed), 'utf8'), this.privateKey).toString('base64');
    return { ...signed, Signature };
  }
}

/**
 * A signer with a fresh RSA 2048 key and a self-signed certificate for it (valid a year), made at
 * start by a local simulator that stands in for SNS. `@peculiar/x509` builds the certificate.
 */
export async function createSelfSignedSnsSigner(commonName = 'herald-local-sns'): Promise<SnsSigner> {
  // @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: algorithm,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return new SnsSigner(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), cert.toString('pem'));
}

export interface SnsDeliveryOptions {
  /** Attempts in all (SNS's default HTTP policy makes several); default 8. */
  attempts?: number;
  /** First delay between attempts, doubled each time up to 5 s; default 100 ms. */
  firstDelayMs?: number;
}

/**
 * Posts a signed message to an HTTP(S) subscriber as SNS does (`text/plain` JSON body and the
 * `x-amz-sns-*` headers), retrying on network errors, 429 and 5xx. Answers the last status (0 if
 * the endpoint was never reached).
 */
export async function deliverSnsMessage(endpoint: string, message: SnsMessage, options: SnsDeliveryOptions = {}): Promise<number> {
  const attempts = options.attempts ?? 8;
  let delay = options.firstDelayMs ?? 100;
  let status = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': message.Type,
          'x-amz-sns-message-id': message.MessageId,
          'x-amz-sns-topic-arn': message.TopicArn,
          'user-agent': 'Amazon Simple Notification Service Agent',
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      status = res.status;
      if (status < 500 && status !== 429) return status;
    } catch {
      status = 0;
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 5_000);
  }
  return status;
}
