import { covers, hasPermission, missingPermissions, PERMISSION_PATTERN } from './permissions';

describe('permissions', () => {
  it('an exact permission covers only itself', () => {
    expect(covers('outbound:contactList:add', 'outbound:contactList:add')).toBe(true);
    expect(covers('outbound:contactList:add', 'outbound:contactList:view')).toBe(false);
    expect(covers('outbound:contactList:add', 'outbound:contact:add')).toBe(false);
  });

  it('a wildcard part covers any value of that part, and only that part', () => {
    expect(covers('outbound:*:view', 'outbound:messagingCampaign:view')).toBe(true);
    expect(covers('outbound:*:view', 'outbound:messagingCampaign:edit')).toBe(false);
    expect(covers('outbound:*:*', 'responses:response:view')).toBe(false);
    expect(covers('*:*:*', 'oauth:client:add')).toBe(true);
  });

  it('a wildcard is covered only by a wildcard at least as wide (no escalation by granting patterns)', () => {
    expect(covers('outbound:*:*', 'outbound:contactList:*')).toBe(true);
    expect(covers('outbound:contactList:add', 'outbound:contactList:*')).toBe(false);
    expect(covers('outbound:contactList:*', '*:*:*')).toBe(false);
  });

  it('lists what is missing', () => {
    expect(missingPermissions(['outbound:contactList:*'], ['outbound:contactList:add', 'oauth:client:add'])).toEqual(['oauth:client:add']);
    expect(hasPermission([], 'outbound:contactList:add')).toBe(false);
  });

  it('malformed permissions never match', () => {
    expect(covers('outbound:*', 'outbound:contactList:add')).toBe(false);
    expect(PERMISSION_PATTERN.test('outbound:contactList:add')).toBe(true);
    expect(PERMISSION_PATTERN.test('outbound:contactList')).toBe(false);
    expect(PERMISSION_PATTERN.test('outbound:contact list:add')).toBe(false);
  });
});
