/** One send attempt as Verify's Attempts resource shows it. */
export interface AttemptReport {
  sid: string;
  accountSid: string;
  serviceSid: string;
  verificationSid: string;
  to: string;
  channel: string;
  deliveryStatus: string;
  /** The verification's status: `approved` means this attempt converted. */
  verificationStatus: string;
  createdAt: number;
  updatedAt: number;
}

export interface AttemptFilter {
  accountSid: string;
  sid?: string;
  serviceSid?: string;
  verificationSid?: string;
  to?: string;
  channel?: string;
  /** Epoch ms, inclusive. */
  createdAfter?: number;
  /** Epoch ms, exclusive. */
  createdBefore?: number;
  converted?: boolean;
}

/** Read-only reports over send attempts and their verifications (Verify's Attempts and Attempts Summary). */
export interface AttemptReportRepository {
  /** Every attempt matching `filter`, newest first (then by SID). */
  find(filter: AttemptFilter): Promise<AttemptReport[]>;
}
