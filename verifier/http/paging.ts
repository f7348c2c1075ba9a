import type { FastifyRequest } from 'fastify';

/** The `PageSize`/`Page` query of a Twilio list, with Twilio's default of 50 and maximum of 1,000. */
export interface PageQuery {
  PageSize?: string | number;
  Page?: string | number;
}

export interface PageWindow {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageWindow(query: PageQuery | undefined): PageWindow {
  const size = Number(query?.PageSize ?? 50);
  const page = Number(query?.Page ?? 0);
  const pageSize = Number.isInteger(size) && size >= 1 ? Math.min(size, 1_000) : 50;
  const index = Number.isInteger(page) && page >= 0 ? page : 0;
  return { page: index, pageSize, offset: index * pageSize };
}

/** The resource base for `url` fields: the host the client called. */
export function baseOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * Twilio's Verify v2 list envelope: `{KEY: [...], meta: {…}}` with absolute page URLs; the official
 * client follows `next_page_url` and finds the items by `meta.key`.
 */
export function listPage<T>(key: string, items: T[], total: number, window: PageWindow, base: string, path: string, filters: Record<string, string> = {}) {
  const query = (p: number) => new URLSearchParams({ ...filters, PageSize: String(window.pageSize), Page: String(p) }).toString();
  const pageUrl = (p: number) => `${base}${path}?${query(p)}`;
  const hasNext = window.offset + items.length < total;
  return {
    [key]: items,
    meta: {
      page: window.page,
      page_size: window.pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: window.page > 0 ? pageUrl(window.page - 1) : null,
      url: pageUrl(window.page),
      next_page_url: hasNext ? `${pageUrl(window.page + 1)}&PageToken=PA${window.page + 1}` : null,
      key,
    },
  };
}

export type Form = Record<string, string | string[] | boolean | number | undefined>;

/** A form parameter as one string (the last, when it was repeated). */
export function param(form: Form | undefined, name: string): string | undefined {
  const value = form?.[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.at(-1) : String(value);
}

/** A form parameter that may be repeated, as a list. */
export function params(form: Form | undefined, name: string): string[] {
  const value = form?.[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [String(value)];
}
