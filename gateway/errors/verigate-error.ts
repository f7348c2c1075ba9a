/**
 * The base of Verigate's errors, after undici's: `name` is the class and `code` is stable, taken from the
 * component's catalogue (a Twilio error number for what the Verify API and the voice REST API answer, an
 * SMPP command_status for what the SMSC answers, an UPPER_SNAKE name for errors that stay in the process).
 * Callers tell errors apart by class or code, never by message text.
 */
export abstract class VerigateError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string | number;
  /** The HTTP status an API answers with when this error reaches a client (not fastify's `statusCode`: our handlers decide). */
  readonly httpStatus: number = 500;
  /** The same request may succeed later (a throttled link, an API's 503): a sender retries instead of giving up. */
  readonly temporary: boolean = false;
}
