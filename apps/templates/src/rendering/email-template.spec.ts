import { compileEmailTemplate, emailTemplateProblem, emailTooLong, escapeHtml, renderEmail } from './email-template';

const texts = [
  { type: 'subject', contentType: 'text/plain', content: 'Your order {{order}} & more' },
  { type: 'body', contentType: 'text/html', content: '<p>Hi <b>{{name}}</b>, order {{order}}.</p>' },
  { type: 'body', contentType: 'text/plain', content: 'Hi {{name}}, order {{order}}.' },
];
const values = (v: Record<string, string>) => (name: string) => v[name];

describe('email templates', () => {
  it('fill subject, HTML and text, escaping substitutions in the HTML part only', () => {
    const r = renderEmail(compileEmailTemplate(texts), values({ name: '<b>&"Tom\'s"', order: 'A<1>' }));
    expect(r).toEqual({
      ok: true,
      email: {
        subject: 'Your order A<1> & more',
        html: '<p>Hi <b>&lt;b&gt;&amp;&quot;Tom&#39;s&quot;</b>, order A&lt;1&gt;.</p>',
        text: 'Hi <b>&"Tom\'s", order A<1>.',
      },
    });
  });

  it('name every missing value once, and which parts miss it', () => {
    const r = renderEmail(compileEmailTemplate(texts), values({ order: '7' }));
    expect(r).toEqual({ ok: false, missing: ['name'], missingIn: { html: ['name'], text: ['name'] } });
    expect(renderEmail(compileEmailTemplate(texts), values({}))).toEqual({
      ok: false,
      missing: ['order', 'name'],
      missingIn: { subject: ['order'], html: ['name', 'order'], text: ['name', 'order'] },
    });
  });

  it('keep the subject on one line', () => {
    const r = renderEmail(compileEmailTemplate(texts), values({ name: 'x', order: '1\r\nBcc: victim@example.org' }));
    expect(r.ok && r.email.subject).toBe('Your order 1 Bcc: victim@example.org & more');
  });

  it('render an HTML-only template without a text part', () => {
    const r = renderEmail(compileEmailTemplate([texts[0]!, texts[1]!]), values({ name: 'a', order: 'b' }));
    expect(r.ok && r.email.text).toBeUndefined();
    expect(r.ok && r.email.html).toBe('<p>Hi <b>a</b>, order b.</p>');
  });

  it.each([
    [[texts[1]!, texts[2]!], 'exactly one text of type "subject"'],
    [[texts[0]!, texts[0]!, texts[1]!], 'exactly one text of type "subject"'],
    [[texts[0]!], 'needs a body text'],
    [[texts[0]!, texts[1]!, texts[1]!], 'one text/html body'],
    [[{ ...texts[0]!, contentType: 'text/html' }, texts[1]!], 'subject text must be text/plain'],
  ])('refuse malformed texts (%#)', (given, problem) => {
    expect(emailTemplateProblem(given)).toContain(problem);
  });

  it('accept a subject with a text or an HTML body', () => {
    expect(emailTemplateProblem(texts)).toBeUndefined();
    expect(emailTemplateProblem([texts[0]!, texts[2]!])).toBeUndefined();
  });

  it('escape the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('say when a rendered subject or body is over the contract limits', () => {
    expect(emailTooLong({ subject: 'ok', html: 'x', text: 'y' })).toBeUndefined();
    expect(emailTooLong({ subject: 's'.repeat(999) })).toContain('subject has 999 characters');
    expect(emailTooLong({ subject: 'ok', html: 'h'.repeat(1_000_001) })).toContain('HTML body has 1000001 characters');
  });
});
