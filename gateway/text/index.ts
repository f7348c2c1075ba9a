// Text layer for SMPP: alphabets, data_coding, UDH and segmentation. Pure, no I/O.
export { isGsm7, gsm7Septets, gsm7CharSeptets, encodeGsm7, decodeGsm7 } from './gsm7';
export { encodeGsm7Packed, decodeGsm7Packed } from './gsm7-packed';
export { DataCoding, decodeText, encodeText } from './data-coding';
export type { EncodeTextOptions, EncodedText } from './data-coding';
export { splitUdh, concatInfo, buildConcatUdh } from './udh';
export type { UdhElement, SplitUdh, ConcatInfo } from './udh';
export { segmentText, countParts } from './segment';
export type { SegmentOptions, SegmentPart, SegmentedText, PartCount, TextEncoding } from './segment';
export {
  UnencodableTextError,
  InvalidPackingError,
  MalformedUdhError,
  ConcatRangeError,
  MessageTooLongError,
} from './errors';
