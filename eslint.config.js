// One lint config for the whole workspace. Layering (VS Code style): packages/* hold code that runs anywhere
// and may not import Node's built-ins, except @twinline/sql whose whole job is the Node SQLite driver.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'http',
  'https',
  'net',
  'child_process',
  'worker_threads',
  'crypto',
];
const DOM_GLOBALS = ['window', 'document', 'location', 'navigator', 'localStorage', 'sessionStorage'];
const layer = (files, group, message, extra = {}) => ({
  files,
  ignores: ['**/*.test.ts', '**/testkit.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message }] }], ...extra },
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', '**/release/**', '.data/**', 'bench/tmp/**'] },
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
      'packages/customers/src/**',
      'packages/routing/src/**',
      'packages/config/src/**',
      'packages/softphone/src/**',
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
  // desktop/: one room per place the code runs (VS Code style); each may import only what that place has.
  layer(
    ['desktop/src/common/**'],
    [...NODE, 'electron', 'react', 'react-dom', 'react-dom/*', '**/browser/**', '**/node/**', '**/electron-*/**'],
    'desktop/src/common runs anywhere: it may import only other common code and zod.',
    { 'no-restricted-globals': ['error', ...DOM_GLOBALS] },
  ),
  layer(
    ['desktop/src/browser/**'],
    [...NODE, 'electron', '**/node/**', '**/electron-*/**'],
    'desktop/src/browser is the renderer: common code and browser APIs only (reach the host through bridge-client).',
  ),
  layer(
    ['desktop/src/node/**'],
    ['electron', 'react', 'react-dom', 'react-dom/*', '**/browser/**', '**/electron-*/**'],
    'desktop/src/node is plain Node: common code and Node only (no Electron, no DOM).',
    { 'no-restricted-globals': ['error', ...DOM_GLOBALS] },
  ),
  layer(
    ['desktop/src/electron-preload/**'],
    [...NODE, 'react', 'react-dom', '**/node/**', '**/browser/**', '**/electron-main/**', '**/electron-utility/**'],
    'the sandboxed preload may import only electron and common code.',
  ),
  layer(
    ['desktop/src/electron-main/**', 'desktop/src/electron-utility/**'],
    ['react', 'react-dom', 'react-dom/*', '**/browser/**', '**/electron-preload/**'],
    'Electron main/utility code may import common, node and electron, never the renderer.',
  ),
);
