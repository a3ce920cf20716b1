/**
 * Amazon SNS HTTP(S) delivery: the message shapes and the string SNS signs, as AWS documents them
 * ("Verifying the signatures of Amazon SNS messages"). Framework-free: the gateways verify with it,
 * the local simulators sign with it, so both sides build the same canonical string.
 */

export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

export interface SnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  /** The payload: for a Notification the publisher's message (here JSON text); for a (un)subscription a human-readable text. */
  Message: string;
  Timestamp: string;
  /** `1`: SHA1withRSA; `2`: SHA256withRSA. */
  SignatureVersion: string;
  /** Base64 RSA signature of the canonical string. */
  Signature: string;
  SigningCertURL: string;
  /** SubscriptionConfirmation / UnsubscribeConfirmation only. */
  SubscribeURL?: string;
  Token?: string;
  /** Notification only (not signed). */
  UnsubscribeURL?: string;
}

/** The fields each message type signs, in the (byte-wise sorted) order SNS signs them. */
const SIGNED_FIELDS: Record<SnsMessageType, readonly (keyof SnsMessage)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** The signature algorithm (Node crypto name) of each SignatureVersion. */
export const SIGNATURE_ALGORITHMS: Record<string, 'sha1' | 'sha256'> = { '1': 'sha1', '2': 'sha256' };

/**
 * The string SNS signs: for each signed field of the message's type that is present, the field
 * name, a newline, its value, a newline. (A Notification without a Subject leaves both lines out.)
 */
export function snsStringToSign(message: Pick<SnsMessage, 'Type'> & Partial<SnsMessage>): string {
  let out = '';
  for (const field of SIGNED_FIELDS[message.Type]) {
    const value = message[field];
    if (value === undefined || value === null) continue;
    out += `${field}\n${value}\n`;
  }
  return out;
}

export class SnsMessageError extends Error {
  constructor(
    /** `sns.message.invalid`, `sns.signature.missing`, `sns.signature.invalid`, `sns.certificate.untrusted`, `sns.certificate.unavailable`, `sns.topic.untrusted`, `sns.subscribe-url.untrusted`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SnsMessageError';
  }
}

const REQUIRED: readonly (keyof SnsMessage)[] = ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp'];

/** Checks the shape of a posted SNS message (a JSON object or its text); says which field is wrong. */
export function parseSnsMessage(body: unknown): SnsMessage {
  let value = body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      throw new SnsMessageError('sns.message.invalid', 'the body is not a JSON SNS message');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnsMessageError('sns.message.invalid', 'the body is not a JSON SNS message');
  const m = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(m)) {
    if (v !== undefined && v !== null && typeof v !== 'string') throw new SnsMessageError('sns.message.invalid', `${k} must be a string`);
  }
  if (!(SNS_MESSAGE_TYPES as readonly unknown[]).includes(m['Type'])) throw new SnsMessageError('sns.message.invalid', `Type must be one of ${SNS_MESSAGE_TYPES.join(', ')}`);
  for (const field of REQUIRED) if (typeof m[field] !== 'string') throw new SnsMessageError('sns.message.invalid', `${field} is missing`);
  if (m['Type'] !== 'Notification' && (typeof m['SubscribeURL'] !== 'string' || typeof m['Token'] !== 'string')) {
    throw new SnsMessageError('sns.message.invalid', 'a subscription message needs SubscribeURL and Token');
  }
  if (!m['Signature'] || !m['SigningCertURL'] || !m['SignatureVersion']) throw new SnsMessageError('sns.signature.missing', 'the message is not signed (Signature, SignatureVersion and SigningCertURL are required)');
  return m as unknown as SnsMessage;
}
