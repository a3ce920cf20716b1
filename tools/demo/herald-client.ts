import platformClient from 'purecloud-platform-client-v2';

/**
 * Herald's public API through the official Genesys Cloud JavaScript SDK, pointed at the edge:
 * the same client code a team moving off Genesys already has.
 */
export function heraldClient(edgeUrl: string) {
  const url = new URL(edgeUrl);
  const client = platformClient.ApiClient.instance;
  client.setGateway({
    host: url.hostname,
    protocol: url.protocol.replace(':', ''),
    port: Number(url.port),
    path_params_login: '',
    path_params_api: '',
  });
  // OAuth arrives with the trigger/security work; until then the edge accepts any token.
  client.setAccessToken('local-development');
  return {
    outbound: new platformClient.OutboundApi(),
    responses: new platformClient.ResponseManagementApi(),
    routing: new platformClient.RoutingApi(),
  };
}

export type HeraldClient = ReturnType<typeof heraldClient>;
export type { Models } from 'purecloud-platform-client-v2';
