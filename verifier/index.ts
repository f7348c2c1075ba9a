export { buildVerifier, DEFAULT_ENGINE_SETTINGS, type Verifier, type VerifierOptions } from './verifier';
export { VERIFY_ERRORS, VerifyError } from './errors';
