/** IANA names only: `Area/Location` (or `UTC`), not offsets like `+01:00`. */
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

let known: Map<string, string> | undefined;

/**
 * The IANA time zone name a contact gave, if the runtime's time zone database knows it, with its
 * usual capitalisation where the runtime lists it (`america/new_york` → `America/New_York`);
 * undefined otherwise. Aliases (`US/Eastern`, `Asia/Kolkata`) are accepted and kept as written:
 * Node's ICU would otherwise rewrite some current names to legacy ones (`Asia/Calcutta`).
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length > 64 || !IANA_SHAPE.test(name)) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
  } catch {
    return undefined;
  }
  known ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  return known.get(name.toLowerCase()) ?? name;
}
