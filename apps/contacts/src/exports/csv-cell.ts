/** Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell made safe to open in a spreadsheet: one beginning with `=`, `+`, `-`, `@`, tab or
 * carriage return gets a leading single quote, so `=SUM(1+1)` is exported as `'=SUM(1+1)`.
 * Phone numbers in E.164 begin with `+`, so they are exported as `'+12025550123` too.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
