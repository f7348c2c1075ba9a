// GSM 03.38 default alphabet and its extension table, as lookup maps.

/** Escape septet that switches the next septet to the extension table. */
export const GSM7_ESCAPE = 0x1b;

// One row per 16 septets; index = septet value. Slot 0x1B is ESC and never a character.
const BASIC_ROWS = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmno',
  'pqrstuvwxyzäöñüà',
];

/** Septet value → character; 128 entries. */
export const GSM7_BASIC: readonly string[] = Array.from(BASIC_ROWS.join(''));

/** Extension septet (the byte after ESC) → character. */
export const GSM7_EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

/** Character → septet in the basic table. */
export const GSM7_BASIC_CODES: ReadonlyMap<string, number> = new Map(
  GSM7_BASIC.flatMap((char, septet) => (septet === GSM7_ESCAPE ? [] : [[char, septet] as const])),
);

/** Character → septet in the extension table (to be preceded by ESC). */
export const GSM7_EXTENSION_CODES: ReadonlyMap<string, number> = new Map(
  [...GSM7_EXTENSION].map(([septet, char]) => [char, septet] as const),
);
