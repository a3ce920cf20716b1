/**
 * Every Herald process and how the local stack runs it. Ports are offsets from a base so that
 * a test stack can run beside a developer's `npm run up` stack.
 */
export interface ServiceSpec {
  name: string;
  /** Offset from the port base. */
  portOffset: number;
  /** Env var naming the port (the simulator has its own). */
  portVar: string;
  /** Readiness path. */
  readyPath: string;
  /** A process that is not a Herald app in dist/: its script (relative to the repository) and arguments. */
  script?: { path: string; args(port: number): string[] };
}

export const SERVICES: ServiceSpec[] = [
  { name: 'sms-simulator', portOffset: 99, portVar: 'SMS_SIMULATOR_PORT', readyPath: '/health' },
  // The SES v2 emulator (npm aws-ses-v2-local): keeps what it "sent" in memory, lists it at GET /store.
  {
    name: 'ses-emulator',
    portOffset: 98,
    portVar: 'SES_EMULATOR_PORT',
    readyPath: '/health-check',
    script: { path: 'node_modules/aws-ses-v2-local/dist/cli.js', args: (port) => ['--host', '127.0.0.1', '--port', String(port)] },
  },
  // The local SES event destination: SES-shaped events for what the emulator received, as signed SNS posts to the email-gateway.
  {
    name: 'ses-events',
    portOffset: 97,
    portVar: 'SES_EVENTS_PORT',
    readyPath: '/health',
    script: { path: `${process.env['HERALD_DIST'] ?? 'dist'}/tools/ses-events/main.js`, args: () => [] },
  },
  { name: 'contacts', portOffset: 1, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'campaigns', portOffset: 2, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'dnc', portOffset: 3, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'templates', portOffset: 4, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'sms-gateway', portOffset: 5, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'email-gateway', portOffset: 6, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'reporting', portOffset: 7, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'triggers', portOffset: 8, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'edge', portOffset: 0, portVar: 'PORT', readyPath: '/health/ready' },
];

export interface StackSettings {
  /** Edge listens on the base; services on base+1…; the SES event destination on base+97, the SES emulator on base+98, the SMS simulator on base+99. */
  portBase: number;
  databaseUrl: string;
  brokers: string[];
  topicPrefix: string;
  logLevel: string;
  /** The edge's bootstrap admin client (HERALD_BOOTSTRAP_CLIENT_ID/SECRET): how tools and tests get a token. */
  bootstrapClient: { id: string; secret: string };
  /** Extra environment per service (e.g. simulator fault knobs). */
  extraEnv?: Partial<Record<string, Record<string, string>>>;
  /**
   * Whether the provider stand-ins publish delivery events (the SMS simulator's SMS v2 events, the
   * `ses-events` process for SES): on for `npm run up` and the demo, off unless asked for in test
   * and benchmark stacks, whose figures and expectations predate them.
   */
  providerEvents: boolean;
}

/** The processes a stack runs: every one, except `ses-events` without provider events. */
export function servicesOf(settings: StackSettings): string[] {
  return SERVICES.map((s) => s.name).filter((name) => settings.providerEvents || name !== 'ses-events');
}

export function portOf(settings: StackSettings, name: string): number {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown service ${name}`);
  return settings.portBase + spec.portOffset;
}

export function urlOf(settings: StackSettings, name: string): string {
  return `http://127.0.0.1:${portOf(settings, name)}`;
}

/** The environment a service is started with: shared settings, its port, where its peers are. */
export function envFor(settings: StackSettings, spec: ServiceSpec): Record<string, string> {
  const env: Record<string, string> = {
    KAFKA_BROKERS: settings.brokers.join(','),
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    DATABASE_URL: settings.databaseUrl,
    LOG_LEVEL: settings.logLevel,
    [spec.portVar]: String(portOf(settings, spec.name)),
    CONTACTS_URL: urlOf(settings, 'contacts'),
    CAMPAIGNS_URL: urlOf(settings, 'campaigns'),
    DNC_URL: urlOf(settings, 'dnc'),
    TEMPLATES_URL: urlOf(settings, 'templates'),
    REPORTING_URL: urlOf(settings, 'reporting'),
    TRIGGERS_URL: urlOf(settings, 'triggers'),
    SMS_GATEWAY_URL: urlOf(settings, 'sms-gateway'),
    EMAIL_GATEWAY_URL: urlOf(settings, 'email-gateway'),
    SMS_PROVIDER_ENDPOINT: urlOf(settings, 'sms-simulator'),
    SES_ENDPOINT: urlOf(settings, 'ses-emulator'),
    // The emulator has no identities API: sending domains are verified at once.
    EMAIL_DOMAIN_VERIFICATION: 'local',
    // List-Unsubscribe links point at this stack's edge; the secret is for local stacks only.
    UNSUBSCRIBE_BASE_URL: urlOf(settings, 'edge'),
    UNSUBSCRIBE_SECRET: 'herald-local-stack-unsubscribe-secret-not-for-production',
    // Every service verifies access tokens against the edge's JWKS; the issuer names this stack's edge.
    AUTH_JWKS_URL: `${urlOf(settings, 'edge')}/oauth/jwks`,
    AUTH_DIVISIONS_URL: `${urlOf(settings, 'edge')}/api/v2/authorization/divisions`,
    AUTH_ISSUER: urlOf(settings, 'edge'),
    AUTH_AUDIENCE: 'herald-api',
    // Provider events: the simulators sign SNS notifications with certificates they serve themselves.
    ...(spec.name === 'sms-simulator' && settings.providerEvents ? { SMS_SIMULATOR_EVENTS_URL: `${urlOf(settings, 'edge')}/api/v2/herald/providers/sns/sms` } : {}),
    ...(spec.name === 'ses-events' ? { SES_EMULATOR_URL: urlOf(settings, 'ses-emulator'), SES_EVENTS_URL: `${urlOf(settings, 'edge')}/api/v2/herald/providers/sns/email` } : {}),
    // The simulators have no carrier or SES account behind them: rates far above the real defaults
    // (US long codes 1/s, SES 14/s), so that demos and benchmarks measure Herald, not a quota.
    ...(spec.name === 'sms-gateway' ? { SNS_TRUSTED_CERT_URLS: `${urlOf(settings, 'sms-simulator')}/_sns/`, SMS_SENDER_RATE_PER_SECOND: '20000' } : {}),
    ...(spec.name === 'email-gateway' ? { SNS_TRUSTED_CERT_URLS: `${urlOf(settings, 'ses-events')}/_sns/`, SES_MAX_SEND_RATE: '20000' } : {}),
    ...(spec.name === 'edge' ? { HERALD_BOOTSTRAP_CLIENT_ID: settings.bootstrapClient.id, HERALD_BOOTSTRAP_CLIENT_SECRET: settings.bootstrapClient.secret } : {}),
    // Locally, triggers (templates, senders) and campaigns (re-checks of running campaigns) read as
    // the bootstrap client; elsewhere give each a client of its own.
    ...(spec.name === 'triggers' || spec.name === 'campaigns'
      ? { AUTH_TOKEN_URL: `${urlOf(settings, 'edge')}/oauth/token`, SERVICE_CLIENT_ID: settings.bootstrapClient.id, SERVICE_CLIENT_SECRET: settings.bootstrapClient.secret }
      : {}),
  };
  return { ...env, ...(settings.extraEnv?.[spec.name] ?? {}) };
}

/**
 * The bootstrap client of `npm run up` and `npm run demo` unless HERALD_BOOTSTRAP_CLIENT_ID and
 * HERALD_BOOTSTRAP_CLIENT_SECRET are set: a fixed, well-known value, for a local stack only.
 */
export function localBootstrapClient(env: NodeJS.ProcessEnv = process.env): { id: string; secret: string } {
  return {
    id: env['HERALD_BOOTSTRAP_CLIENT_ID'] ?? 'herald-local-admin',
    secret: env['HERALD_BOOTSTRAP_CLIENT_SECRET'] ?? 'local-development-only-not-a-secret',
  };
}
