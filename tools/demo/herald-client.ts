import platformClient from 'purecloud-platform-client-v2';

/** An OAuth client's credentials (client credentials grant). */
export interface ClientCredentials {
  id: string;
  secret: string;
}

/**
 * The SDK's requests go out on axios' plain Node transport, not through follow-redirects (its
 * transport while redirects are followed; the only redirect of Herald's API, an export's
 * `download=true`, is not asked for through the SDK). With a timeout set, as the SDK always sets
 * one, follow-redirects binds `socket.destroy` to the socket's 'timeout' event and leaves it
 * there (follow-redirects/follow-redirects#278); the socket goes back to Node's keep-alive global
 * agent, which gives it a 4 s idle timeout (the edge's `Keep-Alive: timeout=5`, less 1 s). Any
 * later request of the process on that socket, e.g. bench/csv-import.ts' upload through
 * `node:http`, was cut (`socket hang up`) once it had waited 4 s for its answer.
 */
async function withoutRedirects(config: { maxRedirects?: number }) {
  config.maxRedirects = 0;
  return config;
}
let preHookSet = false;

/**
 * Herald's public API through the official Genesys Cloud JavaScript SDK, pointed at the edge:
 * the same client code a team moving off Genesys already has. Logs in with the client
 * credentials grant (`POST /oauth/token` on the edge: `path_params_login` is empty). The SDK's
 * client is a process-wide singleton: the last login wins.
 */
export async function heraldClient(edgeUrl: string, credentials: ClientCredentials) {
  const url = new URL(edgeUrl);
  const client = platformClient.ApiClient.instance;
  // Once per process: each setPreHook adds an interceptor to the SDK's axios instance.
  if (!preHookSet) {
    client.getHttpClient().setPreHook(withoutRedirects);
    preHookSet = true;
  }
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
