// One lint config for the whole workspace. Layering (VS Code style): packages/* hold code that runs anywhere
// and may not import Node's built-ins, except @twinline/sql whose whole job is the Node SQLite driver.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', '.data/**', 'bench/tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: [
      'packages/workorder/src/**',
      'packages/board/src/**',
      'packages/board-client/src/**',
      'packages/demo-data/src/**',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'http', 'net', 'child_process'],
              message:
                'packages/* run anywhere: no Node built-ins here (put Node code in sync-server/ or @twinline/sql).',
            },
          ],
        },
      ],
    },
  },
);
