import tseslint from 'typescript-eslint';

const SMPP_FENCE = { name: 'smpp', message: 'Only gateway/smpp/smpp-package.ts may import the smpp package; use the typed session layer.' };
const PG_FENCE = { name: 'pg', message: 'Only gateway/storage/ and the PostgreSQL repositories (verifier/store/postgres/, gateway/outbox/postgres-outbox.ts) may import pg; use the repositories of verifier/store/storage.ts.' };
/** The files that may import the PostgreSQL driver. */
const PG_FILES = ['gateway/storage/**', 'verifier/store/postgres/**', 'gateway/outbox/postgres-outbox.ts'];

/**
 * The layers of docs/architecture.md: gateway/ below, simulator/ and verifier/ beside each other (never
 * importing each other), bin/ on top. Each folder lists the top-level folders it may not import.
 */
const FORBIDDEN = {
  gateway: ['simulator', 'verifier', 'bin'],
  simulator: ['verifier', 'bin'],
  verifier: ['simulator', 'bin'],
};

function restrictedImports(folder, { smpp = true, pg = true } = {}) {
  const forbidden = FORBIDDEN[folder];
  return ['error', {
    paths: [...(smpp ? [SMPP_FENCE] : []), ...(pg ? [PG_FENCE] : [])],
    patterns: [{
      regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
      message: `${folder}/ may not import ${forbidden.map((f) => `${f}/`).join(', ')} (docs/architecture.md).`,
    }],
  }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [SMPP_FENCE, PG_FENCE] }],
    },
  },
  ...Object.keys(FORBIDDEN).map((folder) => ({ files: [`${folder}/**`], rules: { 'no-restricted-imports': restrictedImports(folder) } })),
  { files: ['gateway/smpp/smpp-package.ts'], rules: { 'no-restricted-imports': restrictedImports('gateway', { smpp: false }) } },
  ...PG_FILES.map((pattern) => ({ files: [pattern], rules: { 'no-restricted-imports': restrictedImports(pattern.split('/')[0], { pg: false }) } })),
  {
    // Tests and benchmarks use the package as a third-party ESME or a bare reference server would.
    files: ['test/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
