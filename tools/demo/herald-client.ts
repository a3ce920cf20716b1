import platformClient from 'purecloud-platform-client-v2';

/** An OAuth client's credentials (client credentials grant). */
export interface ClientCredentials {
  id: string;
  secret: string;
}

/**
 * Herald's public API through the official Genesys Cloud JavaScript SDK, pointed at the edge:
 * the same client code a team moving off Genesys already has. Logs in with the client
 * credentials grant (`POST /oauth/token` on the edge: `path_params_login` is empty). The SDK's
 * client is a process-wide singleton: the last login wins.
 */
export async function heraldClient(edgeUrl: string, credentials: ClientCredentials) {
  const url = new URL(edgeUrl);
  const client = platformClient.ApiClient.instance;
  client.setGateway({
    host: url.hostname,
    protocol: url.protocol.replace(':', ''),
    port: Number(url.port),
    path_params_login: '',
    path_params_api: '',
  });
  const auth = await client.loginClientCredentialsGrant(credentials.id, credentials.secret);
  return {
    outbound: new platformClient.OutboundApi(),
    responses: new platformClient.ResponseManagementApi(),
    routing: new platformClient.RoutingApi(),
    oauth: new platformClient.OAuthApi(),
    /** The bearer token, for raw HTTP requests. */
    accessToken: auth.accessToken as string,
    conversations: new platformClient.ConversationsApi(),
  };
}

export type HeraldClient = Awaited<ReturnType<typeof heraldClient>>;
export type { Models } from 'purecloud-platform-client-v2';
