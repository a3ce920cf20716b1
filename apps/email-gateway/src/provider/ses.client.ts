import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AwsSendClientOptions, awsSendClientConfig } from '@herald/sending';

export type SesOptions = AwsSendClientOptions;

/** The SES v2 client, with the gateways' shared settings (SDK retries off; see awsSendClientConfig). */
export function sesClient(options: SesOptions): SESv2Client {
  return new SESv2Client(awsSendClientConfig(options));
}
