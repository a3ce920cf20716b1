import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Boundaries: apps import libraries, never other apps; contracts import nothing framework-specific;
// a library is used through its index.ts only. Tags live in each project.json.
export default [
  { ignores: ['dist/**', 'node_modules/**', '.herald/**', 'coverage/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:util', 'type:messaging', 'type:runtime'] },
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:messaging', 'type:data-access'] },
            { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: ['@nestjs/*', 'typeorm', 'kafkajs', 'pg'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:messaging', 'type:data-access'] },
          ],
        },
      ],
    },
  },
  {
    // Test helpers (e.g. @herald/auth/testing) are not built into dist/: only tests may use them.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**', 'libs/*/testing/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@herald/*/testing', '**/testing'], message: 'test helpers are for spec files only' }] }] },
  },
];
