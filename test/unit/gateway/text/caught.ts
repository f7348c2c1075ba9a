// Runs `fn` and returns what it threw, failing the test if it returned normally.
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
