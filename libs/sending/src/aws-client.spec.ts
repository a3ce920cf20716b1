import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { awsSendClientConfig } from './aws-client';
import { classifyAwsSendError } from './send-outcome';

// A provider that takes the request and never answers: the call must end at timeoutMs, ambiguous.
let server: Server;
let endpoint: string;
let client: PinpointSMSVoiceV2Client | undefined;

beforeAll(async () => {
  server = createServer((req) => req.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  client?.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('ends a call without an answer at timeoutMs with a TimeoutError, which is an ambiguous (unknown) send', async () => {
  client = new PinpointSMSVoiceV2Client(awsSendClientConfig({ region: 'us-east-1', endpoint, timeoutMs: 200, maxSockets: 1 }));
  const t0 = performance.now();
  const error = await client.send(new SendTextMessageCommand({ DestinationPhoneNumber: '+12025550100', OriginationIdentity: '+15550001111', MessageBody: 'hi' })).then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsed = performance.now() - t0;
  expect(error).toMatchObject({ name: 'TimeoutError' });
  expect(elapsed).toBeGreaterThanOrEqual(190);
  expect(elapsed).toBeLessThan(2_000);
  expect(classifyAwsSendError(error)).toMatchObject({ outcome: 'unknown', reason: 'TimeoutError' });
}, 10_000);
