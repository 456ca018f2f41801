import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/results/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  // The layering, checked on every lint (docs/architecture.md): dependencies point inward.
  {
    files: ['src/domain/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/*.fixture.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./', message: 'domain/ is pure: it imports only domain/.' },
            {
              regex: '^(?!\\.|canonicalize$|node:crypto$)',
              message: 'domain/ uses no package but canonicalize and node:crypto.',
            },
          ],
        },
      ],
    },
  },
  // domain/insights/ is domain too: it may import domain/ one level up, and nothing further out.
  {
    files: ['src/domain/*/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/*.fixture.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?![a-z0-9-]+\\.js$)',
              message: 'domain/ is pure: it imports only domain/.',
            },
            {
              regex: '^(?!\\.|canonicalize$|node:crypto$)',
              message: 'domain/ uses no package but canonicalize and node:crypto.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(config|http|cli|notifications|integrations)/',
              message: 'storage/ implements app/ports.ts; it never imports config or an adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts', 'src/policy/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '(^|/)(storage|http|cli|notifications|integrations|config)/|(^|/)context\\.js$',
              message:
                'app/ and policy/ depend on domain/ and shared/ only; adapters depend on them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)storage/', message: 'http/ reaches storage only through app/.' },
            {
              regex: '(^|/)context\\.js$',
              message:
                'http/ never sees the composition root: each route group declares what it needs (http/deps.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    ignores: ['web/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '(\\.\\./)+src/(?!http/contract/|domain/(change-content|errors|fields|policy|standard-changes)\\.js$)',
              message:
                'web/ imports only the API contract (src/http/contract) and the pure rules the form shares with the server.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
