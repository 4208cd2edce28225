/** The path of a request target, without its query (`/api/v1/sites?limit=5` → `/api/v1/sites`). */
export function urlPath(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
