import { normalizeEmailAddress } from './email';

describe('normalizeEmailAddress', () => {
  it.each([
    ['jane.doe@example.com', 'jane.doe@example.com', 'example.com'],
    ['  Jane.Doe@Example.COM \n', 'Jane.Doe@example.com', 'example.com'], // local part kept, domain lower-cased
    ['jane+alerts@mail.example.co.uk', 'jane+alerts@mail.example.co.uk', 'mail.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie", 'example.ie'],
    ['a!#$%&*/=?^_`{|}~-b@example.org', 'a!#$%&*/=?^_`{|}~-b@example.org', 'example.org'],
    ['x@a-b.example', 'x@a-b.example', 'a-b.example'],
    ['x@xn--bcher-kva.example', 'x@xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['x@Bücher.Example', 'x@bücher.example', 'bücher.example'], // IDN kept as written, checked as punycode
    ['1@123.example', '1@123.example', '123.example'],
  ])('accepts %j as %j', (raw, address, domain) => {
    expect(normalizeEmailAddress(raw)).toEqual({ ok: true, address, domain });
  });

  it('accepts the length limits exactly: 64-character local part, 254-character address', () => {
    const local = 'l'.repeat(64);
    const domain = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(57), 'com'].join('.'); // 189
    const address = `${local}@${domain}`;
    expect(address).toHaveLength(254);
    expect(normalizeEmailAddress(address)).toEqual({ ok: true, address, domain });
  });

  it.each([
    ['', 'empty email address'],
    ['   ', 'empty email address'],
    ['jane.example.com', 'missing @'],
    ['jane@doe@example.com', 'more than one @'],
    ['jane doe@example.com', 'contains whitespace'],
    ['@example.com', 'empty local part'],
    ['jane@', 'empty domain'],
    [`${'l'.repeat(65)}@example.com`, 'local part longer than 64 characters'],
    ['"jane.doe"@example.com', 'quoted local parts are not supported'],
    ['.jane@example.com', 'local part starts or ends with a dot'],
    ['jane.@example.com', 'local part starts or ends with a dot'],
    ['ja..ne@example.com', 'local part has consecutive dots'],
    ['ja(ne)@example.com', 'local part has a character not allowed in an address'],
    ['jané@example.com', 'local part has a character not allowed in an address'],
    ['Jane <jane@example.com>', 'contains whitespace'],
    ['jane@localhost', 'domain has no dot'],
    ['jane@example..com', 'domain has an empty label'],
    ['jane@.example.com', 'domain has an empty label'],
    ['jane@example.com.', 'domain ends with a dot'],
    ['jane@-example.com', 'invalid domain label "-example"'],
    ['jane@example-.com', 'invalid domain label "example-"'],
    ['jane@exa_mple.com', 'invalid domain label "exa_mple"'],
    [`jane@${'a'.repeat(64)}.com`, 'domain label longer than 63 characters'],
    ['jane@[192.0.2.1]', 'IP address literals are not supported'],
    ['jane@192.0.2.1', 'top-level domain is numeric'],
    [`jane@${Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.')}.com`, 'domain longer than 253 characters'],
  ])('rejects %j: %s', (raw, reason) => {
    expect(normalizeEmailAddress(raw)).toEqual({ ok: false, reason });
  });

  it('rejects an address over 254 characters even when each part is within its limit', () => {
    const domain = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(58), 'com'].join('.'); // 190
    expect(normalizeEmailAddress(`${'l'.repeat(64)}@${domain}`)).toEqual({ ok: false, reason: 'address longer than 254 characters' });
  });
});
