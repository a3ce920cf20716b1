import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { IsInt, Max, Min } from 'class-validator';
import { availableParallelism } from 'node:os';

export class ContactsConfig extends DatabaseServiceConfig {
  override PORT = 3101;
  /** How often the dispatcher wakes to send the next contacts of running campaigns. */
  @IsInt() @Min(10) @Max(1_000) DISPATCH_TICK_MS: number = 100;
  /** Most contacts one dispatcher tick publishes for one campaign. */
  @IsInt() @Min(1) @Max(10_000) DISPATCH_MAX_BATCH: number = 2_000;
  /** Largest CSV file one contact import accepts, in bytes (413 past it, nothing imported). */
  @IsInt() @Min(1) @Max(68_719_476_736) CONTACT_IMPORT_MAX_BYTES: number = 1_073_741_824;
  /** Accepted rows of an import staged and merged at a time (while the next ones are read). */
  @IsInt() @Min(100) @Max(1_000_000) CONTACT_IMPORT_CHUNK_ROWS: number = 25_000;
  /**
   * Worker threads checking an import's rows (phone, email, the row's JSON) while the CSV is
   * parsed; default: one per core but one, which the main thread (the CSV) and Postgres share (on
   * 2 cores, 1 thread imported as fast as 2, with ~25 MiB less RSS: BENCHMARKS.md).
   */
  @IsInt() @Min(1) @Max(64) CONTACT_IMPORT_THREADS: number = Math.max(1, availableParallelism() - 1);
}

export const config = loadConfigOrExit(ContactsConfig, 'contacts');
