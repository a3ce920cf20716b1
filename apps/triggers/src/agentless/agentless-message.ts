import { countSmsSegments, MAX_SMS_CHARACTERS, normalizeEmailAddress, normalizePhoneNumber, isE164 } from '@herald/channels';
import { AgentlessMessageFields, Channel } from '@herald/contracts';
import { DomainError } from '@herald/service';
import { createHash } from 'node:crypto';

/** A request Herald will not send, with the field at fault first in the message (Genesys-style 400). */
export class AgentlessRequestError extends DomainError {
  constructor(code: string, readonly field: string, problem: string) {
    super(code, `${field}: ${problem}`, 400, [{ errorCode: code, fieldName: field }]);
  }
}

/** A request that passed the checks that need no other service: addresses normalised, body or template chosen. */
export interface CheckedMessage {
  channel: Channel;
  /** E.164 for SMS; the normalised address for email. */
  from: string;
  to: string;
  textBody?: string;
  template?: { responseId: string; parameters: Map<string, string> };
}

/**
 * The checks that need nothing but the request, in the order a caller would fix them: the
 * recipient, the sender's form, the body or the template parameters. The template's existence and
 * the sender's provisioning are checked afterwards against their owners (AgentlessMessages).
 */
export function checkRequest(r: AgentlessMessageFields): CheckedMessage {
  const channel = r.toAddressMessengerType;
  if (r.textBody !== undefined && r.messagingTemplate !== undefined) {
    throw new AgentlessRequestError('body.ambiguous', 'textBody', 'give either textBody or messagingTemplate, not both');
  }
  if (r.textBody === undefined && r.messagingTemplate === undefined) {
    throw new AgentlessRequestError('body.required', 'textBody', 'textBody or messagingTemplate is required');
  }
  let to: string;
  let from: string;
  if (channel === 'sms') {
    const phone = normalizePhoneNumber(r.toAddress);
    if (!phone.ok) throw new AgentlessRequestError('invalid.to.address', 'toAddress', `not a valid phone number (${phone.reason}); give it in E.164, e.g. +12025550123`);
    to = phone.e164;
    if (!isE164(r.fromAddress)) throw new AgentlessRequestError('invalid.from.address', 'fromAddress', 'an SMS sender is a provisioned number in E.164, e.g. +12025550100');
    from = r.fromAddress;
  } else {
    const toEmail = normalizeEmailAddress(r.toAddress);
    if (!toEmail.ok) throw new AgentlessRequestError('invalid.to.address', 'toAddress', `not a valid email address (${toEmail.reason})`);
    to = toEmail.address;
    const fromEmail = normalizeEmailAddress(r.fromAddress);
    if (!fromEmail.ok) throw new AgentlessRequestError('invalid.from.address', 'fromAddress', `not a valid email address (${fromEmail.reason})`);
    from = fromEmail.address;
  }
  if (r.textBody !== undefined) {
    if (channel === 'email') {
      throw new AgentlessRequestError('body.template.required', 'textBody', 'an email needs a messagingTemplate (a CampaignEmailTemplate gives its subject, HTML and text); textBody is for SMS');
    }
    if (r.textBody.trim() === '') throw new AgentlessRequestError('body.empty', 'textBody', 'must not be empty');
    if (channel === 'sms' && r.textBody.length > MAX_SMS_CHARACTERS) {
      const { encoding, segments } = countSmsSegments(r.textBody);
      throw new AgentlessRequestError('message.too.long', 'textBody', `has ${r.textBody.length} characters (${encoding}, ${segments} segments); an SMS has at most ${MAX_SMS_CHARACTERS}`);
    }
    return { channel, from, to, textBody: r.textBody };
  }
  const parameters = new Map<string, string>();
  for (const [i, p] of (r.messagingTemplate!.parameters ?? []).entries()) {
    if (parameters.has(p.id)) throw new AgentlessRequestError('template.parameter.duplicate', `messagingTemplate.parameters[${i}].id`, `"${p.id}" is given twice`);
    parameters.set(p.id, p.value);
  }
  return { channel, from, to, template: { responseId: r.messagingTemplate!.responseId, parameters } };
}

/**
 * What makes two requests "the same" for an idempotency key: the message fields, as sent
 * (SHA-256 of their canonical JSON: keys sorted, absent fields left out).
 */
export function requestHash(r: AgentlessMessageFields): string {
  const fields = {
    fromAddress: r.fromAddress,
    toAddress: r.toAddress,
    toAddressMessengerType: r.toAddressMessengerType,
    textBody: r.textBody,
    messagingTemplate: r.messagingTemplate && { responseId: r.messagingTemplate.responseId, parameters: r.messagingTemplate.parameters?.map((p) => ({ id: p.id, value: p.value })) },
  };
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
