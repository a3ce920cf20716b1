import { KeyObject, verify, X509Certificate } from 'node:crypto';
import { parseSnsMessage, SIGNATURE_ALGORITHMS, SnsMessage, SnsMessageError, snsStringToSign } from './sns-message';

export interface SnsVerifierOptions {
  /**
   * URL prefixes (scheme, host, port, and a path ending in `/`) that a SigningCertURL (which must
   * also end in `.pem`) or a SubscribeURL must start with. AWS: `https://sns.<region>.amazonaws.com/`.
   */
  trustedUrlPrefixes: string[];
  /** Topic ARNs whose messages are accepted; empty: any topic (the signature still has to hold). */
  trustedTopicArns?: string[];
  /** How a certificate or a SubscribeURL is fetched (tests replace it); default `fetch` with a 10 s timeout. */
  fetchText?: (url: string) => Promise<string>;
}

/** The trusted prefix of AWS's own SNS signing certificates in a region. */
export function awsSnsUrlPrefix(region: string): string {
  return `https://sns.${region}.amazonaws.com/`;
}

/** Why a configured prefix cannot be trusted safely, or undefined if it can. */
export function trustedPrefixProblem(prefix: string): string | undefined {
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (!prefix.endsWith('/') || !url.pathname.endsWith('/') || url.search || url.hash) return 'must end with a "/" path and have no query';
  return undefined;
}

const MAX_CACHED_CERTIFICATES = 64;

/**
 * Verifies Amazon SNS messages as AWS documents it: the SigningCertURL must come from a trusted
 * place (checked before anything is fetched), the certificate is fetched once per URL and cached
 * (a failed fetch is not cached), must be within its validity period, and its RSA key must verify
 * the Signature over the canonical string of the message type's fields (SHA1withRSA for
 * SignatureVersion 1, SHA256withRSA for 2). Anything else is refused with a SnsMessageError.
 */
export class SnsVerifier {
  private readonly prefixes: string[];
  private readonly topics: Set<string>;
  private readonly certificates = new Map<string, Promise<KeyObject>>();
  private readonly fetchText: (url: string) => Promise<string>;

  constructor(options: SnsVerifierOptions) {
    for (const p of options.trustedUrlPrefixes) {
      const problem = trustedPrefixProblem(p);
      if (problem) throw new Error(`trusted SNS URL prefix ${JSON.stringify(p)}: ${problem}`);
    }
    if (options.trustedUrlPrefixes.length === 0) throw new Error('at least one trusted SNS URL prefix is needed');
    this.prefixes = options.trustedUrlPrefixes.map((p) => new URL(p).href);
    this.topics = new Set(options.trustedTopicArns ?? []);
    this.fetchText = options.fetchText ?? fetchText;
  }

  /** Whether a URL starts with a trusted prefix (compared after URL normalisation, credentials refused). */
  isTrustedUrl(raw: string): boolean {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return false;
    }
    if (url.username || url.password) return false;
    return this.prefixes.some((p) => url.href.startsWith(p));
  }

  /** The message, if it is well formed, from a trusted topic and signed by a trusted certificate. */
  async verify(body: unknown): Promise<SnsMessage> {
    const message = parseSnsMessage(body);
    if (this.topics.size > 0 && !this.topics.has(message.TopicArn)) throw new SnsMessageError('sns.topic.untrusted', 'the message comes from a topic this endpoint does not trust');
    const algorithm = SIGNATURE_ALGORITHMS[message.SignatureVersion];
    if (!algorithm) throw new SnsMessageError('sns.signature.invalid', `unknown SignatureVersion ${JSON.stringify(message.SignatureVersion)}`);
    if (!this.isTrustedUrl(message.SigningCertURL) || !new URL(message.SigningCertURL).pathname.endsWith('.pem')) {
      throw new SnsMessageError('sns.certificate.untrusted', 'the SigningCertURL is not a trusted SNS certificate location');
    }
    const key = await this.certificate(message.SigningCertURL);
    const signature = Buffer.from(message.Signature, 'base64');
    let valid = false;
    try {
      valid = signature.length > 0 && verify(algorithm, Buffer.from(snsStringToSign(message), 'utf8'), key, signature);
    } catch {
      valid = false;
    }
    if (!valid) throw new SnsMessageError('sns.signature.invalid', 'the message signature does not verify');
    return message;
  }

  /** Confirms a verified SubscriptionConfirmation by fetching its SubscribeURL, only if that URL is trusted. */
  async confirmSubscription(message: SnsMessage): Promise<void> {
    if (message.Type !== 'SubscriptionConfirmation' || !message.SubscribeURL) throw new SnsMessageError('sns.message.invalid', 'not a subscription confirmation');
    if (!this.isTrustedUrl(message.SubscribeURL)) throw new SnsMessageError('sns.subscribe-url.untrusted', 'the SubscribeURL is not a trusted SNS location');
    await this.fetchText(message.SubscribeURL);
  }

  private certificate(url: string): Promise<KeyObject> {
    let cached = this.certificates.get(url);
    if (!cached) {
      if (this.certificates.size >= MAX_CACHED_CERTIFICATES) this.certificates.delete(this.certificates.keys().next().value!);
      cached = this.fetchText(url).then(
        (pem) => {
          let cert: X509Certificate;
          try {
            cert = new X509Certificate(pem);
          } catch {
            throw new SnsMessageError('sns.certificate.unavailable', 'the signing certificate is not a PEM X.509 certificate');
          }
          const now = Date.now();
          if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) throw new SnsMessageError('sns.certificate.untrusted', 'the signing certificate is not within its validity period');
          return cert.publicKey;
        },
        (e: unknown) => {
          throw new SnsMessageError('sns.certificate.unavailable', `the signing certificate could not be fetched (${(e as Error).message})`);
        },
      );
      cached.catch(() => this.certificates.delete(url));
      this.certificates.set(url, cached);
    }
    return cached;
  }
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}
