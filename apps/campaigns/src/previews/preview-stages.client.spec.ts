import { actingWith } from '@herald/auth';
import { LocalTokenEndpoint, startTokenEndpoint } from '@herald/auth/testing';
import { IncomingMessage } from 'node:http';
import { PreviewStagesClient } from './preview-stages.client';

describe('PreviewStagesClient', () => {
  let edge: LocalTokenEndpoint;
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
    // The dnc service's internal check, behind the edge's token endpoint.
    edge = await startTokenEndpoint((req, res) => {
      res.setHeader('content-type', 'application/json');
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
  });

  afterAll(() => edge.close());

  const client = () => new PreviewStagesClient({ contacts: edge.base, dnc: edge.base, templates: edge.base } as never, edge.serviceToken());

  it("calls the stages with campaigns' own token, not the token of the request that started the job (it may expire before a long preview ends)", async () => {
    const stages = client();
    const decisions = await actingWith('Bearer caller-token', () => stages.filter('sms', [], ['+12025550147']));
    expect(decisions).toEqual([{ cleared: true }]);
    expect(seen.at(-1)).toEqual({ url: '/internal/dnc/check', authorization: `Bearer token-${edge.issued}`, body: { channel: 'sms', dncListIds: [], addresses: ['+12025550147'] } });
  });

  it('takes a new token and asks again, once, when a stage refuses the token (401)', async () => {
    const stages = client();
    await stages.filter('sms', [], ['+12025550147']);
    const first = `Bearer token-${edge.issued}`;
    refused.add(first); // e.g. its signing key was retired
    const before = seen.length;
    expect(await stages.filter('sms', [], ['+12025550148'])).toEqual([{ cleared: true }]);
    expect(seen.slice(before).map((s) => s.authorization)).toEqual([first, `Bearer token-${edge.issued}`]);
    expect(`Bearer token-${edge.issued}`).not.toBe(first);

    refuseAll = true; // the new token is refused too: that answer is the preview's failure, no third try
    const asked = seen.length;
    await expect(stages.filter('sms', [], ['+12025550149'])).rejects.toThrow('the dnc service (filter) answered 401: token refused');
    expect(seen.length - asked).toBe(2);
  });
});
