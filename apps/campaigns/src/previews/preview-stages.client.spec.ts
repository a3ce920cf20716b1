import { actingWith, ServiceToken } from '@herald/auth';
import { AddressInfo } from 'node:net';
import { createServer, IncomingMessage, Server } from 'node:http';
import { PreviewStagesClient } from './preview-stages.client';

describe('PreviewStagesClient', () => {
  let server: Server;
  let base: string;
  let issued = 0;
  /** Tokens the stages refuse (e.g. signed with a retired key). */
  const refused = new Set<string>();
  let refuseAll = false;
  const seen: { url: string; authorization: string; body: unknown }[] = [];

  const body = (req: IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => resolve(text ? JSON.parse(text) : undefined));
    });

  beforeAll(async () => {
    // The edge's token endpoint and the dnc service's internal check, on one local server.
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/oauth/token') {
        issued++;
        return res.end(JSON.stringify({ access_token: `service-${issued}`, expires_in: 3600 }));
      }
      void body(req).then((b) => {
        const authorization = req.headers.authorization ?? '';
        seen.push({ url: req.url ?? '', authorization, body: b });
        if (refuseAll || refused.has(authorization)) {
          res.statusCode = 401;
          return res.end(JSON.stringify({ message: 'token refused' }));
        }
        const addresses = (b as { addresses: string[] }).addresses;
        res.end(JSON.stringify({ decisions: addresses.map(() => ({ cleared: true })) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((r) => server.close(r)));

  const client = () =>
    new PreviewStagesClient({ contacts: base, dnc: base, templates: base } as never, new ServiceToken(`${base}/oauth/token`, 'campaigns', 'secret'));

  it("calls the stages with campaigns' own token, not the token of the request that started the job (it may expire before a long preview ends)", async () => {
    const stages = client();
    const decisions = await actingWith('Bearer caller-token', () => stages.filter('sms', [], ['+12025550147']));
    expect(decisions).toEqual([{ cleared: true }]);
    expect(seen.at(-1)).toEqual({ url: '/internal/dnc/check', authorization: `Bearer service-${issued}`, body: { channel: 'sms', dncListIds: [], addresses: ['+12025550147'] } });
  });

  it('takes a new token and asks again, once, when a stage refuses the token (401)', async () => {
    const stages = client();
    await stages.filter('sms', [], ['+12025550147']);
    const first = `Bearer service-${issued}`;
    refused.add(first); // e.g. its signing key was retired
    const before = seen.length;
    expect(await stages.filter('sms', [], ['+12025550148'])).toEqual([{ cleared: true }]);
    expect(seen.slice(before).map((s) => s.authorization)).toEqual([first, `Bearer service-${issued}`]);
    expect(`Bearer service-${issued}`).not.toBe(first);

    refuseAll = true; // the new token is refused too: that answer is the preview's failure, no third try
    const asked = seen.length;
    await expect(stages.filter('sms', [], ['+12025550149'])).rejects.toThrow('the dnc service (filter) answered 401: token refused');
    expect(seen.length - asked).toBe(2);
  });
});
