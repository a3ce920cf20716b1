import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DivisionDirectory, DivisionError, divisionRef, Divisions, RemoteDivisionDirectory } from './divisions';

const exists = (ids: string[]): DivisionDirectory & { asked: string[] } => {
  const asked: string[] = [];
  return { asked, exists: async (id: string) => (asked.push(id), ids.includes(id)) };
};

async function refusal(p: Promise<unknown>): Promise<DivisionError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DivisionError);
  return e as DivisionError;
}

describe('Divisions', () => {
  it('sees the granted divisions only, or every one with *', () => {
    const some = new Divisions(['home', 'd2']);
    expect([some.has('home'), some.has('d2'), some.has('d3'), some.all]).toEqual([true, true, false, false]);
    const all = new Divisions(['*']);
    expect([all.has('anything'), all.all]).toEqual([true, true]);
    expect(new Divisions([]).has('home')).toBe(false);
  });

  it('lists the granted divisions, narrowed by a divisionId filter; * lists without condition', () => {
    const some = new Divisions(['home', 'd2']);
    expect(some.visible()).toEqual(['home', 'd2']);
    expect(some.visible('d2')).toEqual(['d2']);
    expect(some.visible(['d2', 'd3'])).toEqual(['d2']);
    expect(some.visible('d3,home')).toEqual(['home']);
    // A filter outside the grants matches nothing, never everything.
    expect(some.visible('d3')).toEqual([]);
    expect(new Divisions(['*']).visible()).toBeUndefined();
    expect(new Divisions(['*']).visible(['d3'])).toEqual(['d3']);
    expect(new Divisions([]).visible()).toEqual([]);
  });

  it('writes a new resource into the named division only if it is granted (403 whether it exists or not)', async () => {
    const directory = exists(['d2', 'd3']);
    const some = new Divisions(['home', 'd2'], directory);
    expect(await some.target('d2')).toBe('d2');
    const e = await refusal(some.target('d3'));
    expect([e.getStatus(), e.code]).toEqual([403, 'division.not.granted']);
    expect((await refusal(some.target('nope'))).getResponse()).toEqual({ code: 'division.not.granted', message: 'division nope is not one of the divisions this client is granted' });
    // An explicit grant names a division that exists: no question asked.
    expect(directory.asked).toEqual([]);
  });

  it('with *, checks that a named division exists (400 if not); home always does', async () => {
    const directory = exists(['d3']);
    const all = new Divisions(['*'], directory);
    expect(await all.target('d3')).toBe('d3');
    expect(await all.target('home')).toBe('home');
    const e = await refusal(all.target('nope'));
    expect([e.getStatus(), e.code]).toEqual([400, 'division.not.found']);
    expect(directory.asked).toEqual(['d3', 'nope']);
  });

  it('without a named division: home if granted, else the only division, else 400 asking for one', async () => {
    expect(await new Divisions(['d2', 'home']).target(undefined)).toBe('home');
    expect(await new Divisions(['*']).target(undefined)).toBe('home');
    expect(await new Divisions(['d2']).target(undefined)).toBe('d2');
    const several = await refusal(new Divisions(['d2', 'd3']).target(undefined));
    expect([several.getStatus(), several.code]).toEqual([400, 'division.required']);
    const none = await refusal(new Divisions([]).target(undefined));
    expect([none.getStatus(), none.code]).toEqual([403, 'division.not.granted']);
  });

  it('an update keeps the current division unless another is named, which must be granted', async () => {
    const some = new Divisions(['d2', 'd3']);
    expect(await some.target(undefined, 'd2')).toBe('d2');
    expect(await some.target('d2', 'd2')).toBe('d2');
    expect(await some.target('d3', 'd2')).toBe('d3');
    expect((await refusal(some.target('home', 'd2'))).code).toBe('division.not.granted');
  });

  it('references a division as Genesys does', () => {
    expect(divisionRef('d2')).toEqual({ id: 'd2', selfUri: '/api/v2/authorization/divisions/d2' });
  });
});

describe('RemoteDivisionDirectory', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      const id = req.url!.split('/').pop();
      res.statusCode = id === 'd3' ? 200 : id === 'broken' ? 500 : 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/authorization/divisions`;
  });

  afterAll(() => new Promise((r) => server.close(r)));

  it('asks the edge, keeps a yes, and never keeps a no', async () => {
    const directory = new RemoteDivisionDirectory(base);
    expect(await directory.exists('d3')).toBe(true);
    expect(await directory.exists('d3')).toBe(true);
    expect(await directory.exists('nope')).toBe(false);
    expect(await directory.exists('nope')).toBe(false);
    expect(requests).toEqual(['/api/v2/authorization/divisions/d3', '/api/v2/authorization/divisions/nope', '/api/v2/authorization/divisions/nope']);
  });

  it('answers 503 when the edge cannot say', async () => {
    expect((await refusal(new RemoteDivisionDirectory(base).exists('broken'))).getStatus()).toBe(503);
    expect((await refusal(new RemoteDivisionDirectory('http://127.0.0.1:9/divisions').exists('d3'))).getStatus()).toBe(503);
  });
});
