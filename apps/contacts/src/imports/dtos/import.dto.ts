import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Query of POST …/imports (for a raw text/csv body; a form sends these as fields). */
export class ImportQuery {
  /** The column holding each contact's id: re-importing the file then updates the same contacts. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(128) contactIdColumn?: string;
  /** Genesys' name for contactIdColumn. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(128) 'contact-id-name'?: string;
}
