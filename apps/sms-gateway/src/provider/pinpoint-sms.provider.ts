import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { AwsSendClientOptions, awsSendClientConfig, classifyAwsSendError, SendOutcome } from '@herald/sending';
import { SmsProvider, SmsSendRequest } from './sms-provider';

export type PinpointSmsOptions = AwsSendClientOptions;

/**
 * AWS End User Messaging SMS (`pinpoint-sms-voice-v2` SendTextMessage). The SDK's own retries are
 * off: a retried send after an ambiguous failure could message someone twice. Herald's message id
 * rides in `Context`, so delivery events can be matched back to it.
 */
export class PinpointSmsProvider implements SmsProvider {
  private readonly client: PinpointSMSVoiceV2Client;

  constructor(options: PinpointSmsOptions) {
    this.client = new PinpointSMSVoiceV2Client(awsSendClientConfig(options));
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
