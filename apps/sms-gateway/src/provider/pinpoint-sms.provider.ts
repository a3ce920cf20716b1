import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { classifyAwsSendError, SendOutcome } from '@herald/sending';
import { SmsProvider, SmsSendRequest } from './sms-provider';

export interface PinpointSmsOptions {
  region: string;
  endpoint?: string;
  timeoutMs: number;
  maxSockets: number;
}

/**
 * AWS End User Messaging SMS (`pinpoint-sms-voice-v2` SendTextMessage). The SDK's own retries are
 * off: a retried send after an ambiguous failure could message someone twice. Herald's message id
 * rides in `Context`, so delivery events can be matched back to it.
 */
export class PinpointSmsProvider implements SmsProvider {
  private readonly client: PinpointSMSVoiceV2Client;

  constructor(options: PinpointSmsOptions) {
    const local = options.endpoint !== undefined && !process.env['AWS_ACCESS_KEY_ID'];
    this.client = new PinpointSMSVoiceV2Client({
      region: options.region,
      endpoint: options.endpoint,
      maxAttempts: 1,
      // The local simulator checks no signature; real AWS uses the default credential chain.
      credentials: local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
      requestHandler: new NodeHttpHandler({
        requestTimeout: options.timeoutMs,
        connectionTimeout: Math.min(options.timeoutMs, 3_000),
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets }),
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }),
      }),
    });
  }

  async send(request: SmsSendRequest): Promise<SendOutcome> {
    try {
      const out = await this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: request.to,
          OriginationIdentity: request.from,
          MessageBody: request.body,
          MessageType: 'TRANSACTIONAL',
          Context: { heraldMessageId: request.messageId },
        }),
      );
      if (!out.MessageId) return { outcome: 'unknown', reason: 'no-message-id', detail: 'the provider answered without a MessageId' };
      return { outcome: 'accepted', providerMessageId: out.MessageId };
    } catch (e) {
      return classifyAwsSendError(e);
    }
  }
}
