import { loggedPath } from './logging';

describe('loggedPath', () => {
  it('drops the query string', () => {
    expect(loggedPath('/api/v2/herald/suppressions?address=a%40b.org')).toBe('/api/v2/herald/suppressions');
  });

  it('hides unsubscribe tokens, which encode the recipient address', () => {
    expect(loggedPath('/api/v2/herald/unsubscribe/u1.eyJjIjoiZW1haWwifQ.sig?x=1')).toBe('/api/v2/herald/unsubscribe/[redacted]');
  });
});
