import tseslint from 'typescript-eslint';

const SMPP_FENCE = { name: 'smpp', message: 'Only gateway/smpp/smpp-package.ts may import the smpp package; use the typed session layer.' };
const PG_FENCE = { name: 'pg', message: 'Only gateway/storage/ and the PostgreSQL repositories (verifier/store/postgres/, gateway/outbox/postgres-outbox.ts) may import pg; use the repositories of verifier/store/storage.ts.' };
const SQLITE_FENCE = {
  name: 'better-sqlite3',
  message: 'Only gateway/storage/ and the SQLite repositories (verifier/store/sqlite/, gateway/outbox/sqlite-outbox.ts, the simulator\'s simulator/store/) may import better-sqlite3; use the repositories of verifier/store/storage.ts.',
};
/** The SQLite handle and its gate: a module that imports them holds a database, which only storage code may. */
const SQLITE_HANDLE = {
  regex: '(^|/)gateway/storage/sqlite(-gate)?$|^\\.\\./storage/sqlite(-gate)?$|^\\./sqlite(-gate)?$',
  message: 'Only storage code holds a SQLite database (docs/architecture.md, "Storage"); use the repositories of verifier/store/storage.ts.',
};

/** Storage code: the files that may import a driver, each with the fences it lifts. */
const STORAGE_FILES = [
  { files: ['gateway/storage/**'], lift: { pg: false, sqlite: false } },
  { files: ['verifier/store/postgres/**', 'gateway/outbox/postgres-outbox.ts'], lift: { pg: false } },
  { files: ['verifier/store/sqlite/**', 'gateway/outbox/sqlite-outbox.ts', 'simulator/store/**', 'bin/data-files.ts'], lift: { sqlite: false } },
];

/** SQL statements in string literals: they live in storage code only, as the imports do. */
const SQL = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN|COMMIT|ROLLBACK|WITH|ATTACH)\s/.source;
const NO_SQL = ['error',
  { selector: `Literal[value=/${SQL}/]`, message: 'SQL lives in storage code only (verifier/store/sqlite|postgres/, gateway/storage/, the outbox repositories): go through a repository.' },
  { selector: `TemplateElement[value.raw=/${SQL}/]`, message: 'SQL lives in storage code only (verifier/store/sqlite|postgres/, gateway/storage/, the outbox repositories): go through a repository.' },
];

/**
 * The layers of docs/architecture.md: gateway/ below, simulator/ and verifier/ beside each other (never
 * importing each other), bin/ on top. Each folder lists the top-level folders it may not import.
 */
const FORBIDDEN = {
  gateway: ['simulator', 'verifier', 'bin'],
  simulator: ['verifier', 'bin'],
  verifier: ['simulator', 'bin'],
  bin: [],
};

function restrictedImports(folder, { smpp = true, pg = true, sqlite = true } = {}) {
  const forbidden = FORBIDDEN[folder];
  const layers = forbidden.length === 0 ? [] : [{
    regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
    message: `${folder}/ may not import ${forbidden.map((f) => `${f}/`).join(', ')} (docs/architecture.md).`,
  }];
  return ['error', {
    paths: [...(smpp ? [SMPP_FENCE] : []), ...(pg ? [PG_FENCE] : []), ...(sqlite ? [SQLITE_FENCE] : [])],
    patterns: [...layers, ...(sqlite ? [SQLITE_HANDLE] : [])],
  }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [SMPP_FENCE, PG_FENCE, SQLITE_FENCE] }],
    },
  },
  ...Object.keys(FORBIDDEN).map((folder) => ({ files: [`${folder}/**`], rules: { 'no-restricted-imports': restrictedImports(folder), 'no-restricted-syntax': NO_SQL } })),
  { files: ['gateway/smpp/smpp-package.ts'], rules: { 'no-restricted-imports': restrictedImports('gateway', { smpp: false }) } },
  ...STORAGE_FILES.flatMap(({ files, lift }) => files.map((pattern) => ({
    files: [pattern],
    rules: { 'no-restricted-imports': restrictedImports(pattern.split('/')[0], lift), 'no-restricted-syntax': 'off' },
  }))),
  {
    // Tests reach the verifier's data through its repositories, never by SQL (the simulator keeps its own store).
    files: ['test/unit/**', 'test/e2e/**', 'test/hostile/**'],
    ignores: ['test/hostile/secrets-simulator-store.test.ts'],
    rules: { 'no-restricted-syntax': NO_SQL },
  },
  {
    // Tests and benchmarks use the package as a third-party ESME or a bare reference server would.
    files: ['test/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
