import { AgentlessMessageFields } from '@herald/contracts';
import { AgentlessRequestError, checkRequest, requestHash } from './agentless-message';

const sms: AgentlessMessageFields = { fromAddress: '+12025550100', toAddress: '+1 (202) 555-0147', toAddressMessengerType: 'sms', textBody: 'Your code is 1234' };
const template = { responseId: '60644bd0-bafc-4cb6-88c6-4959f492d27c', parameters: [{ id: 'code', value: '1234' }] };

function refusal(request: AgentlessMessageFields): AgentlessRequestError {
  try {
    checkRequest(request);
  } catch (e) {
    expect(e).toBeInstanceOf(AgentlessRequestError);
    return e as AgentlessRequestError;
  }
  throw new Error('expected a refusal');
}

describe('checkRequest', () => {
  it('normalises an SMS recipient to E.164 and keeps the body', () => {
    expect(checkRequest(sms)).toEqual({ channel: 'sms', from: '+12025550100', to: '+12025550147', textBody: 'Your code is 1234' });
  });

  it('takes a template and its parameters instead of a body', () => {
    const checked = checkRequest({ ...sms, textBody: undefined, messagingTemplate: template });
    expect(checked.template).toEqual({ responseId: template.responseId, parameters: new Map([['code', '1234']]) });
    expect(checked.textBody).toBeUndefined();
  });

  it('normalises email addresses: domains lower-cased, local parts kept', () => {
    const checked = checkRequest({ fromAddress: 'Receipts@Shop.Example', toAddress: ' Ada@Example.ORG ', toAddressMessengerType: 'email', messagingTemplate: { responseId: '0f8e6d4c-2b1a-4e9f-8d7c-6b5a4f3e2d1c' } });
    expect(checked).toMatchObject({ channel: 'email', from: 'Receipts@shop.example', to: 'Ada@example.org' });
  });

  it('allows an SMS body of exactly 765 characters', () => {
    expect(checkRequest({ ...sms, textBody: 'x'.repeat(765) }).textBody).toHaveLength(765);
  });

  it.each<[string, AgentlessMessageFields, string, string]>([
    ['an SMS body of 766 characters', { ...sms, textBody: 'x'.repeat(766) }, 'textBody', 'message.too.long'],
    ['an empty body', { ...sms, textBody: '  ' }, 'textBody', 'body.empty'],
    ['an email with a textBody (an email needs a template: subject and body)', { fromAddress: 'a@shop.example', toAddress: 'b@example.org', toAddressMessengerType: 'email', textBody: 'Thanks' }, 'textBody', 'body.template.required'],
    ['neither body nor template', { ...sms, textBody: undefined }, 'textBody', 'body.required'],
    ['both body and template', { ...sms, messagingTemplate: template }, 'textBody', 'body.ambiguous'],
    ['a recipient that is not a phone number', { ...sms, toAddress: 'call me' }, 'toAddress', 'invalid.to.address'],
    ['a recipient without its country code', { ...sms, toAddress: '202 555 0147' }, 'toAddress', 'invalid.to.address'],
    ['an SMS sender that is not E.164', { ...sms, fromAddress: '202-555-0100' }, 'fromAddress', 'invalid.from.address'],
    ['an email recipient that is not an address', { ...sms, toAddressMessengerType: 'email', fromAddress: 'a@shop.example', toAddress: 'ada' }, 'toAddress', 'invalid.to.address'],
    ['an email sender that is not an address', { ...sms, toAddressMessengerType: 'email', fromAddress: 'shop', toAddress: 'ada@example.org' }, 'fromAddress', 'invalid.from.address'],
    [
      'a parameter given twice',
      { ...sms, textBody: undefined, messagingTemplate: { ...template, parameters: [...template.parameters, { id: 'code', value: '9' }] } },
      'messagingTemplate.parameters[1].id',
      'template.parameter.duplicate',
    ],
  ])('refuses %s, naming the field', (_name, request, field, code) => {
    const e = refusal(request);
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    expect(e.details).toEqual([{ errorCode: code, fieldName: field }]);
  });
});

describe('requestHash', () => {
  it('is the same for the same fields in any order, and ignores absent fields', () => {
    const reordered = { textBody: sms.textBody, toAddressMessengerType: sms.toAddressMessengerType, toAddress: sms.toAddress, fromAddress: sms.fromAddress, messagingTemplate: undefined };
    expect(requestHash(reordered as AgentlessMessageFields)).toBe(requestHash(sms));
  });

  it('differs when any field differs', () => {
    const base = requestHash(sms);
    expect(requestHash({ ...sms, textBody: 'Your code is 1235' })).not.toBe(base);
    expect(requestHash({ ...sms, toAddress: '+12025550148' })).not.toBe(base);
    const withTemplate = requestHash({ ...sms, textBody: undefined, messagingTemplate: template });
    expect(requestHash({ ...sms, textBody: undefined, messagingTemplate: { ...template, parameters: [{ id: 'code', value: '9' }] } })).not.toBe(withTemplate);
  });
});
