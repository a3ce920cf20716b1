// npm test: type check, lint, unit tests, then the end-to-end tests against the real Kafka and
// PostgreSQL (started by the tests as needed). Ends with one line `tests: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../infra/paths';

const root = repoRoot();
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const out = mkdtempSync(join(tmpdir(), 'herald-test-'));
let passed = 0;
let failed = 0;
let ok = true;

function step(title: string, command: string, args: string[]): boolean {
  process.stdout.write(`\n==> ${title}\n`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

function jest(project: string, extra: string[]): void {
  const report = join(out, `${project}.json`);
  const success = step(`${project} tests`, bin('jest'), ['--selectProjects', project, '--json', `--outputFile=${report}`, ...extra]);
  try {
    const r = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numRuntimeErrorTestSuites: number };
    passed += r.numPassedTests;
    failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  } catch {
    failed += 1;
  }
  ok &&= success;
}

ok = step('type check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']) && ok;
// The boundary rule reads Nx's project graph; compute it first or the rule silently skips.
ok = step('project graph', bin('nx'), ['show', 'projects']) && ok;
ok = step('lint (module boundaries and more)', bin('eslint'), ['.']) && ok;
jest('unit', []);
jest('e2e', ['--runInBand', '--forceExit']);
if (!ok && failed === 0) failed = 1; // a failed type check or lint counts
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(ok && failed === 0 ? 0 : 1);
