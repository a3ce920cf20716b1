// Compiles every app, library and tool from TypeScript to CommonJS in dist/ with SWC
// (decorator metadata included, which NestJS needs), then links each library under
// dist/node_modules/@herald/<name> so that `require('@herald/contracts')` resolves at run time
// exactly as the tsconfig path alias does at compile time. Type checking is `npm run typecheck`.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// HERALD_DIST (a folder inside the repository, so node_modules resolves) lets parallel work build apart.
const out = process.env.HERALD_DIST ? join(root, process.env.HERALD_DIST) : join(root, 'dist');
const sourceRoots = ['apps', 'libs', 'tools', 'bench'];
const isTest = (f) => /\.(spec|integration-spec|e2e-spec)\.ts$/.test(f);

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      // Tests and their helpers (libs/<lib>/testing, e.g. @herald/auth/testing) stay out of dist/.
      if (e.name !== 'node_modules' && e.name !== 'test' && e.name !== 'testing') yield* walk(p);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !isTest(e.name)) {
      yield p;
    }
  }
}

const swcOptions = { ...createRequire(import.meta.url)('./swc-options.cjs'), sourceMaps: 'inline' };

await rm(out, { recursive: true, force: true });
const files = [];
for (const r of sourceRoots) for await (const f of walk(join(root, r))) files.push(f);
await Promise.all(
  files.map(async (file) => {
    const { code } = await transformFile(file, { ...swcOptions, filename: file });
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
  }),
);
await mkdir(join(out, 'node_modules', '@herald'), { recursive: true });
for (const lib of await readdir(join(root, 'libs'))) {
  await symlink(join('..', '..', 'libs', lib, 'src'), join(out, 'node_modules', '@herald', lib));
}
console.log(`built ${files.length} files into ${relative(root, out)}/`);
