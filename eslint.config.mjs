// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The pure core is the product's brain: no I/O, no framework, no environment.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'kafkajs', '@elastic/*'],
              message: 'src/core is pure: no framework or client imports.',
            },
            {
              group: [
                'fs',
                'node:fs',
                'fs/*',
                'node:fs/*',
                'net',
                'node:net',
                'http',
                'node:http',
                'child_process',
                'node:child_process',
              ],
              message: 'src/core does no I/O.',
            },
            {
              group: [
                '../**/kafka/*',
                '../**/elasticsearch/*',
                '../**/api/*',
                '../**/rules-store/*',
                '../**/config/*',
              ],
              message: 'src/core must not import adapters.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads the environment.' },
      ],
    },
  },
  {
    // Specs beside the pure core may read their fixtures from disk; the code under test may not.
    files: ['src/core/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'kafkajs', '@elastic/*'],
              message: 'src/core is pure: no framework or client imports.',
            },
            {
              group: [
                '../**/kafka/*',
                '../**/elasticsearch/*',
                '../**/api/*',
                '../**/rules-store/*',
                '../**/config/*',
              ],
              message: 'src/core must not import adapters.',
            },
          ],
        },
      ],
    },
  },
);
