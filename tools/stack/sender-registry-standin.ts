import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';

export interface ProvisionedSenders {
  sms: Set<string>;
  emailDomains: Set<string>;
}

/**
 * The gateways' sender registries as their Genesys-shaped contract says, for tests and benchmarks
 * while the gateways that serve them (`GET /api/v2/routing/sms/phonenumbers?phoneNumber=…`,
 * `GET /api/v2/routing/email/outbound/domains/{domain}`) are built on other branches. Point the
 * triggers service at it with SMS_GATEWAY_URL and EMAIL_GATEWAY_URL; remove it once the gateways
 * serve their registries.
 */
export async function startSenderRegistryStandIn(port: number, provisioned: ProvisionedSenders): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v2/routing/sms/phonenumbers') {
      const wanted = url.searchParams.get('phoneNumber') ?? '';
      const entities = provisioned.sms.has(wanted) ? [{ id: randomUUID(), phoneNumber: wanted, phoneNumberType: 'local', version: 1 }] : [];
      return send(200, { entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1 });
    }
    const domain = /^\/api\/v2\/routing\/email\/outbound\/domains\/([^/]+)$/.exec(url.pathname)?.[1];
    if (domain !== undefined && provisioned.emailDomains.has(decodeURIComponent(domain))) return send(200, { id: domain, name: domain });
    return send(404, { message: 'not found', code: 'not.found', status: 404 });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
