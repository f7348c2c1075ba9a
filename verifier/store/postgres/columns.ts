/**
 * A SELECT list that names each column by its property (`account_sid AS "accountSid"`), so rows come back
 * shaped as the repositories' types. `prefix` qualifies the columns with a table alias; `as` prefixes the
 * property names (`service.sid`), for a join that returns two records in one row.
 */
export function selectList(columns: Record<string, string>, prefix = '', as = ''): string {
  return Object.entries(columns)
    .map(([property, column]) => `${prefix ? `${prefix}.` : ''}${column} AS "${as}${property}"`)
    .join(', ');
}

/** The properties of `row` whose names start with `as`, without it (the other half of `selectList(…, as)`). */
export function pick<T>(row: Record<string, unknown>, as: string): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith(as)) out[key.slice(as.length)] = value;
  return out as T;
}
