// Every service validates its configuration at boot and refuses to start, naming the variable.
import { spawnSync } from 'node:child_process';
import { entryOf } from '../../tools/stack/supervisor';

const SERVICES = ['contacts', 'campaigns', 'dnc', 'templates', 'sms-gateway', 'email-gateway', 'reporting', 'triggers', 'edge'];

function boot(name: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, [entryOf(name)], { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe.each(SERVICES)('%s', (name) => {
  it('exits non-zero naming an invalid PORT', () => {
    const r = boot(name, { PORT: 'eighty' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/PORT is invalid/);
  });

  it('exits non-zero naming an invalid KAFKA_BROKERS', () => {
    const r = boot(name, { KAFKA_BROKERS: 'no port here' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/KAFKA_BROKERS/);
  });
});

it.each(['contacts', 'campaigns', 'sms-gateway'])('%s exits non-zero naming an invalid DATABASE_URL', (name) => {
  const r = boot(name, { DATABASE_URL: 'mysql://nope' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/DATABASE_URL is invalid/);
});

it.each(['contacts', 'templates', 'reporting'])('%s exits non-zero naming an invalid AUTH_JWKS_URL', (name) => {
  const r = boot(name, { AUTH_JWKS_URL: 'not a url' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/AUTH_JWKS_URL is invalid/);
});

// A number is converted from the environment's string only for a property typed `: number`
// (class-transformer reads the emitted design type); an untyped one refused every value.
it.each([
  ['contacts', { DISPATCH_TICK_MS: '50', DISPATCH_MAX_BATCH: '500' }],
  ['sms-gateway', { SMS_SEND_CONCURRENCY: '8', SMS_SEND_TIMEOUT_MS: '3000', DELIVERY_TIMEOUT_MS: '15000' }],
  ['email-gateway', { EMAIL_SEND_CONCURRENCY: '8', EMAIL_SEND_TIMEOUT_MS: '3000', EMAIL_SEND_MAX_ATTEMPTS: '2' }],
])('%s reads its numeric variables from the environment (only the invalid PORT is named)', (name, numbers) => {
  const r = boot(name, { PORT: 'eighty', ...numbers });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/PORT is invalid/);
  for (const variable of Object.keys(numbers)) expect(r.stderr).not.toContain(variable);
});

it('the edge exits non-zero naming a bootstrap client secret that is too short, without echoing it', () => {
  const r = boot('edge', { HERALD_BOOTSTRAP_CLIENT_ID: 'admin', HERALD_BOOTSTRAP_CLIENT_SECRET: 'short-secret' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/HERALD_BOOTSTRAP_CLIENT_SECRET is invalid/);
  expect(r.stderr).not.toContain('short-secret');
});

it('the email-gateway exits non-zero naming a send guarantee it does not know', () => {
  const r = boot('email-gateway', { EMAIL_SEND_GUARANTEE: 'exactly-once' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/EMAIL_SEND_GUARANTEE must be one of the following values: at-most-once, at-least-once/);
});

it('the SMS simulator exits non-zero naming an out-of-range fault rate', () => {
  const r = boot('sms-simulator', { SMS_SIMULATOR_REJECT_RATE: '2' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/SMS_SIMULATOR_REJECT_RATE/);
});
