import twilio from 'twilio';
import { afterAll, beforeAll } from 'vitest';
import { TestHandset } from './handset';
import { authHeader, credentials, startStack, type RunningStack } from './stack-harness';

export interface TwilioStack {
  /** The running verifier and simulator (set once the file's beforeAll ran). */
  readonly stack: RunningStack;
  /** The official `twilio` client's Verify v2, pointed at the verifier. */
  verify(): ReturnType<typeof twilio>['verify']['v2'];
  /** A handset connected to the simulator for `number`, closed when the file ends. */
  handset(number: string): Promise<TestHandset>;
}

/** One verifier-and-simulator stack for a test file, driven through the official `twilio` client. */
export function twilioStack(): TwilioStack {
  let stack: RunningStack | undefined;
  const handsets: TestHandset[] = [];
  beforeAll(async () => { stack = await startStack(); });
  afterAll(async () => {
    for (const h of handsets) h.close();
    await stack?.stop();
  });
  const running = (): RunningStack => {
    if (!stack) throw new Error('the stack starts in beforeAll');
    return stack;
  };
  return {
    get stack() { return running(); },
    verify() {
      const client = twilio(credentials.accountSid, credentials.authToken);
      client.verify.baseUrl = running().verifyUrl;
      return client.verify.v2;
    },
    async handset(number) {
      const h = await TestHandset.connect(running().sim.wsUrl(number), { authorization: authHeader });
      handsets.push(h);
      return h;
    },
  };
}
