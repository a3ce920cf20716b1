import { existsSync } from 'node:fs';
import { ensureKafka } from '../../../tools/infra/kafka';

/**
 * Where the end-to-end tests find Kafka and PostgreSQL. With a Docker engine (a laptop, a CI
 * runner elsewhere) they run in throwaway containers through testcontainers; without one (these
 * machines) the project's own local broker (tools/infra) and the local PostgreSQL are used.
 * HERALD_TEST_INFRA=containers|local forces one or the other. Either way: real Kafka, real Postgres.
 */
export interface TestInfrastructure {
  kind: 'containers' | 'local';
  brokers: string[];
  /** A URL for a database of this name on the test server (created by the services on first use). */
  databaseUrl(name: string): string;
}

let shared: Promise<TestInfrastructure> | undefined;

function dockerAvailable(): boolean {
  const forced = process.env['HERALD_TEST_INFRA'];
  if (forced === 'containers') return true;
  if (forced === 'local') return false;
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}

async function containers(): Promise<TestInfrastructure> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  // Confluent's cp-kafka 8.x is Apache Kafka 4.x in KRaft mode; testcontainers stops both at exit (Ryuk).
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:8.0.0').withKraft().start(),
    new PostgreSqlContainer('postgres:15').withUsername('postgres').withPassword('postgres').start(),
  ]);
  const base = new URL(postgres.getConnectionUri());
  return {
    kind: 'containers',
    brokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    databaseUrl: (name) => {
      const url = new URL(base.toString());
      url.pathname = `/${name}`;
      return url.toString();
    },
  };
}

async function local(): Promise<TestInfrastructure> {
  const broker = await ensureKafka();
  const server = process.env['TEST_DATABASE_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432';
  return { kind: 'local', brokers: broker.brokers, databaseUrl: (name) => `${server}/${name}` };
}

/** One infrastructure per test process (jest runs e2e files in band, in one process). */
export function testInfrastructure(): Promise<TestInfrastructure> {
  shared ??= dockerAvailable() ? containers() : local();
  return shared;
}
