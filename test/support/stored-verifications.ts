import type { VerifierStorage } from '../../verifier/store/storage';
import type { Verification } from '../../verifier/store/verification-repository';

/**
 * The account's stored verifications with their service's name, oldest first, read through the
 * repositories: found by the attempts report, since every start stores its first attempt with it.
 */
export async function storedVerifications(storage: VerifierStorage, accountSid: string): Promise<(Verification & { serviceName: string })[]> {
  const sids = [...new Set((await storage.attemptReports.find({ accountSid })).reverse().map((a) => a.verificationSid))];
  return Promise.all(sids.map(async (sid) => {
    const { verification, service } = (await storage.verifications.withService(sid))!;
    return { ...verification, serviceName: service.friendlyName };
  }));
}
