// CPU per phone number of Herald's phone check (normalizePhoneNumber: libphonenumber-js with its
// full metadata), over distinct numbers as a CSV import or a DNC load meets them: E.164 and US
// national input, about half of them outside the allocated ranges (refused). One JSON line.
//
//   node dist/bench/phone.js     (BENCH_PHONE_NUMBERS, default 300,000)
//
// The baseline is the library as published: run it again with the patch of patches/ reversed
// (`patch -R -p1 < patches/libphonenumber-js+1.13.16.patch`, then `npm ci` or `patch -p1` to restore).
import { normalizePhoneNumber } from '@herald/channels';
import { round } from './relay';

const NUMBERS = Number(process.env['BENCH_PHONE_NUMBERS'] ?? 300_000);

function numbers(n: number): [string, 'US' | undefined][] {
  return Array.from({ length: n }, (_, i) => {
    const digits = String(2_000_000_000 + ((i * 7_919_993) % 7_999_999_999)).slice(0, 10);
    return i % 2 ? [`+1${digits}`, undefined] : [`(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`, 'US'];
  });
}

if (require.main === module) {
  const warm = numbers(30_000);
  for (const [raw, region] of warm) normalizePhoneNumber(raw, region);
  const input = numbers(NUMBERS);
  let valid = 0;
  const start = process.hrtime.bigint();
  for (const [raw, region] of input) if (normalizePhoneNumber(raw, region).ok) valid++;
  const micros = Number(process.hrtime.bigint() - start) / 1e3 / NUMBERS;
  console.log(JSON.stringify({ case: 'phone', numbers: NUMBERS, valid, microsPerNumber: round(micros) }));
}
