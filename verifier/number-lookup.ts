import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';

/** The `lookup.carrier` of Twilio's verification resource. */
export interface CarrierLookup {
  error_code: number | null;
  name: string | null;
  mobile_country_code: string | null;
  mobile_network_code: string | null;
  type: 'mobile' | 'landline' | 'voip' | null;
}

/**
 * libphonenumber's number types in Twilio's three. FIXED_LINE_OR_MOBILE (the US and Canada, where the
 * numbering plan does not tell) counts as mobile, so SkipSmsToLandlines never refuses such a number.
 */
const TYPES: Partial<Record<NumberType & string, CarrierLookup['type']>> = {
  MOBILE: 'mobile',
  FIXED_LINE_OR_MOBILE: 'mobile',
  PAGER: 'mobile',
  FIXED_LINE: 'landline',
  TOLL_FREE: 'landline',
  PREMIUM_RATE: 'landline',
  SHARED_COST: 'landline',
  UAN: 'landline',
  VOICEMAIL: 'landline',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'voip',
};

/**
 * What Twilio's carrier lookup says about `e164`, from the numbering plan alone (libphonenumber's full
 * metadata): the type, and no carrier name or network codes, which need a carrier database.
 */
export function lookupCarrier(e164: string): CarrierLookup {
  const type = parsePhoneNumberFromString(e164)?.getType();
  return { error_code: null, name: null, mobile_country_code: null, mobile_network_code: null, type: (type && TYPES[type]) ?? null };
}
