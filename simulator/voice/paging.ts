import { RequestParams } from './request-params';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/**
 * One page of a list resource in the shape Twilio and Restcomm share: the
 * items under `key`, the paging fields, and page URIs that keep the filters.
 */
export function page<T>(key: string, items: T[], path: string, query: RequestParams, filters: Record<string, string | undefined>) {
  const pageSize = query.integer('PageSize', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  const pageNumber = query.integer('Page', 0, 1_000_000) ?? 0;
  const start = pageNumber * pageSize;
  const slice = items.slice(start, start + pageSize);
  const numPages = Math.max(1, Math.ceil(items.length / pageSize));
  const uriFor = (n: number) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value !== undefined) search.set(name, value);
    search.set('PageSize', String(pageSize));
    search.set('Page', String(n));
    return `${path}?${search.toString()}`;
  };
  return {
    [key]: slice,
    page: pageNumber,
    page_size: pageSize,
    num_pages: numPages,
    total: items.length,
    start,
    end: Math.max(start, start + slice.length - 1),
    uri: uriFor(pageNumber),
    first_page_uri: uriFor(0),
    previous_page_uri: pageNumber > 0 ? uriFor(pageNumber - 1) : null,
    next_page_uri: start + pageSize < items.length ? uriFor(pageNumber + 1) : null,
    last_page_uri: uriFor(numPages - 1),
  };
}
