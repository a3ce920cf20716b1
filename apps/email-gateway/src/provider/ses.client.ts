import { SESv2Client } from '@aws-sdk/client-sesv2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

export interface SesOptions {
  region: string;
  endpoint?: string;
  timeoutMs: number;
  maxSockets: number;
}

/**
 * The SES v2 client. The SDK's own retries are off (`maxAttempts: 1`): a retried send after an
 * ambiguous failure could email someone twice; throttling is retried by the send ledger instead.
 */
export function sesClient(options: SesOptions): SESv2Client {
  const local = options.endpoint !== undefined && !process.env['AWS_ACCESS_KEY_ID'];
  return new SESv2Client({
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: 1,
    // The local emulator checks no signature; real AWS uses the default credential chain.
    credentials: local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    requestHandler: new NodeHttpHandler({
      requestTimeout: options.timeoutMs,
      connectionTimeout: Math.min(options.timeoutMs, 3_000),
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }),
    }),
  });
}
