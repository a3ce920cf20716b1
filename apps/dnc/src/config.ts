import { DatabaseServiceConfig, loadConfigOrExit } from '@herald/service';
import { MIN_UNSUBSCRIBE_SECRET_LENGTH } from '@herald/channels';
import { availableParallelism } from 'node:os';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

export class DncConfig extends DatabaseServiceConfig {
  override PORT = 3103;
  /** Largest CSV upload to a DNC list (POST …/dnclists/{id}/imports), in bytes; larger is 413. */
  @IsInt() @Min(1_024) @Max(68_719_476_736) DNC_MAX_UPLOAD_BYTES: number = 1024 * 1024 * 1024;
  /** How long POST …/imports waits for the import to be committed before answering 202 (it goes on in the background). */
  @IsInt() @Min(0) @Max(25_000) DNC_IMPORT_WAIT_MS: number = 10_000;
  /** Worker threads that validate the rows of a CSV import while the CSV is parsed (default: one per core). */
  @IsInt() @Min(1) @Max(64) DNC_IMPORT_THREADS: number = availableParallelism();
  /**
   * COPY bytes of a CSV import staged before they are merged into the list (~26 bytes a row, so the
   * default 32 MiB is ~1.3M rows): merging while the upload goes on overlaps the database's work
   * with the parsing. Smaller merges more often (each one sorts and inserts its rows).
   */
  @IsInt() @Min(1) @Max(1_073_741_824) DNC_IMPORT_MERGE_BYTES: number = 32 * 1024 * 1024;
  /** Region for suppression phone numbers written without a country code. */
  @Matches(/^[A-Z]{2}$/, { message: 'SUPPRESSION_DEFAULT_REGION must be an ISO 3166 alpha-2 code such as US' }) SUPPRESSION_DEFAULT_REGION: string = 'US';
  /** Key of the List-Unsubscribe tokens' HMAC; the email-gateway must have the same. */
  @IsString() @MinLength(MIN_UNSUBSCRIBE_SECRET_LENGTH, { message: `UNSUBSCRIBE_SECRET must be at least ${MIN_UNSUBSCRIBE_SECRET_LENGTH} characters` })
  UNSUBSCRIBE_SECRET!: string;
}

export const config = loadConfigOrExit(DncConfig, 'dnc');
