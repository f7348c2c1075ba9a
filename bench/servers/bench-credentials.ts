/** The bind credentials both benchmark servers accept. */
export const BENCH_SYSTEM_ID = 'bench';
export const BENCH_PASSWORD = 'bench-pw';

/** The API credentials of the Verify benchmark's servers. */
export const BENCH_ACCOUNT_SID = `AC${'be'.repeat(16)}`;
export const BENCH_AUTH_TOKEN = 'bench-auth-token';
