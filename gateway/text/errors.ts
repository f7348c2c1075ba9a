// Typed errors for the text layer, so callers branch on `code`, never on message text.

import { VerigateError } from '../errors';

export class UnencodableTextError extends VerigateError {
  override readonly name = 'UnencodableTextError';
  readonly code = 'UNENCODABLE_TEXT';

  constructor(
    /** The first character (a whole code point) with no GSM 03.38 mapping. */
    readonly character: string,
    /** UTF-16 offset of that character in the input string. */
    readonly offset: number,
  ) {
    const codePoint = character.codePointAt(0) ?? 0;
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    super(`Character '${character}' (U+${hex}) at offset ${offset} is not in the GSM 03.38 alphabet`);
  }
}

export class InvalidPackingError extends VerigateError {
  override readonly name = 'InvalidPackingError';
  readonly code = 'INVALID_PACKING';
}

export class MalformedUdhError extends VerigateError {
  override readonly name = 'MalformedUdhError';
  readonly code = 'MALFORMED_UDH';
}

export class ConcatRangeError extends VerigateError {
  override readonly name = 'ConcatRangeError';
  readonly code = 'CONCAT_RANGE';
}

export class MessageTooLongError extends VerigateError {
  override readonly name = 'MessageTooLongError';
  readonly code = 'MESSAGE_TOO_LONG';
}
