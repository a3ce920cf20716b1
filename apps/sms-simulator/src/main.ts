// Entry point: validate the environment, start the simulator, stop cleanly on SIGTERM/SIGINT
// (stop accepting, let in-flight requests finish, flush the JSONL log, exit 0).
import pino from 'pino';
import { ConfigError, loadConfig, type SimulatorConfig } from './config';
import { createSimulator } from './simulator';

async function main(): Promise<void> {
  let config: SimulatorConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const logger = pino({ name: 'sms-simulator', level: config.logLevel });
  const simulator = createSimulator(config, { logger });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'sms-simulator stopping');
    simulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'sms-simulator did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    await simulator.listen();
  } catch (err) {
    logger.fatal({ err, port: config.port }, 'sms-simulator cannot listen (SMS_SIMULATOR_PORT)');
    await simulator.close();
    process.exit(1);
  }
}

void main();
