/**
 * What a provider call came to. accepted: the provider took it. rejected: it definitely did not
 * and will not (bad address, unknown sender, suppressed at the provider). throttled: it did not,
 * try later. unknown: no one can tell (timeout, 5xx, connection reset) — never resent blindly.
 */
export type SendOutcome =
  | { outcome: 'accepted'; providerMessageId: string }
  | { outcome: 'rejected'; reason: string; detail: string }
  | { outcome: 'throttled'; detail: string }
  | { outcome: 'unknown'; reason: string; detail: string };

/** AWS error names that mean "definitely not sent, and sending again will not help". */
const DEFINITE_REJECTIONS = new Set([
  'ValidationException',
  'BadRequestException',
  'ResourceNotFoundException',
  'NotFoundException',
  'AccessDeniedException',
  'ConflictException',
  'ServiceQuotaExceededException',
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
]);

/**
 * Classifies an AWS SDK v3 error from a send call: throttling is retryable, a definite 4xx
 * refusal is `rejected`, anything else (timeout, 5xx, connection reset) is `unknown`.
 */
export function classifyAwsSendError(e: unknown): SendOutcome {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; Reason?: string };
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException' || status === 429) {
    return { outcome: 'throttled', detail: err.message ?? name };
  }
  if (DEFINITE_REJECTIONS.has(name) || (status !== undefined && status >= 400 && status < 500)) {
    return { outcome: 'rejected', reason: err.Reason ? `${name}:${err.Reason}` : name, detail: err.message ?? name };
  }
  return { outcome: 'unknown', reason: name, detail: err.message ?? name };
}
