// Every contract group of the storage seam on SQLite: a real file in a temporary folder, fresh per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openStorage } from '../../verifier/store/open-storage';
import { describeApiKeyContract } from './api-keys-contract';
import { describeFraudContract, describeSecretContract } from './fraud-secrets-contract';
import { describeOutboxContract } from './outbox-contract';
import { describeServiceContract } from './services-contract';
import { describeUnitOfWorkContract } from './unit-of-work-contract';
import { describeVerificationContract } from './verifications-contract';
import { describeAttemptReportContract } from './attempt-reports-contract';
import { describePageHitContract } from './page-hits-contract';
import { describeRateLimitContract } from './rate-limits-contract';
import { describeSessionKeyContract } from './session-keys-contract';
import { describeMessagingConfigurationContract, describeSafeListContract, describeWebhookContract } from './surface-resources-contract';
import { describeTotpContract } from './totp-contract';

async function open() {
  const dir = mkdtempSync(join(tmpdir(), 'verigate-contract-'));
  const storage = await openStorage({ dataFile: join(dir, 'verigate.db') });
  return {
    storage,
    async close() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('SQLite storage', () => {
  describeServiceContract(open);
  describeVerificationContract(open);
  describeFraudContract(open);
  describeSecretContract(open);
  describeOutboxContract(open);
  describeUnitOfWorkContract(open);
  describeApiKeyContract(open);
  describeRateLimitContract(open);
  describePageHitContract(open);
  describeSessionKeyContract(open);
  describeSafeListContract(open);
  describeMessagingConfigurationContract(open);
  describeWebhookContract(open);
  describeTotpContract(open);
  describeAttemptReportContract(open);
});
