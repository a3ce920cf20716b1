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
}

export const SERVICES: ServiceSpec[] = [
  { name: 'sms-simulator', portOffset: 99, portVar: 'SMS_SIMULATOR_PORT', readyPath: '/health' },
  { name: 'contacts', portOffset: 1, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'campaigns', portOffset: 2, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'dnc', portOffset: 3, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'templates', portOffset: 4, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'sms-gateway', portOffset: 5, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'email-gateway', portOffset: 6, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'reporting', portOffset: 7, portVar: 'PORT', readyPath: '/health/ready' },
  { name: 'edge', portOffset: 0, portVar: 'PORT', readyPath: '/health/ready' },
];

export interface StackSettings {
  /** Edge listens on the base; services on base+1…; the SMS simulator on base+99. */
  portBase: number;
  databaseUrl: string;
  brokers: string[];
  topicPrefix: string;
  logLevel: string;
  /** Extra environment per service (e.g. simulator fault knobs). */
  extraEnv?: Partial<Record<string, Record<string, string>>>;
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
    SMS_GATEWAY_URL: urlOf(settings, 'sms-gateway'),
    SMS_PROVIDER_ENDPOINT: urlOf(settings, 'sms-simulator'),
  };
  return { ...env, ...(settings.extraEnv?.[spec.name] ?? {}) };
}
