import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

export interface AwsSendClientOptions {
  region: string;
  /** An endpoint override (the local simulator or emulator); unset for AWS itself. */
  endpoint?: string;
  /** A call without an answer after this long fails with a `TimeoutError` (ambiguous: `unknown`). */
  timeoutMs: number;
  maxSockets: number;
}

/**
 * The configuration every provider client of the gateways shares. The SDK's own retries are off
 * (`maxAttempts: 1`): a retried send after an ambiguous failure could message someone twice;
 * throttling is retried by the send ledger instead. Against a local endpoint without AWS
 * credentials, dummy ones are used (the simulator and the emulator check no signature); real AWS
 * uses the default credential chain. `requestTimeout` bounds the whole call only with
 * `throwOnRequestTimeout` (without it the SDK merely logs a warning and keeps waiting).
 */
export function awsSendClientConfig(options: AwsSendClientOptions) {
  const local = options.endpoint !== undefined && !process.env['AWS_ACCESS_KEY_ID'];
  return {
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: 1,
    credentials: local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    requestHandler: new NodeHttpHandler({
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(options.timeoutMs, 3_000),
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }),
    }),
  };
}
