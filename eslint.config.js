import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [{ name: 'smpp', message: 'Only gateway/smpp/smpp-package.ts may import the smpp package; use the typed session layer.' }],
      }],
    },
  },
  {
    // Tests and benchmarks use the package as a third-party ESME or a bare reference server would.
    files: ['gateway/smpp/smpp-package.ts', 'test/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
