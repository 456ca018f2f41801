import type { GithubDelivery, Readers } from './ports.js';

export interface DeliveryPage {
  readonly items: readonly GithubDelivery[];
  /** Pass back as `before` for the next page; undefined on the last page. */
  readonly next?: { receivedAt: string; id: string };
}

/** The GitHub webhook deliveries of the last 30 days, newest first, with what came of each. */
export async function listGithubDeliveries(
  repos: Readers,
  query: { limit: number; before?: { receivedAt: string; id: string } },
): Promise<DeliveryPage> {
  const rows = await repos.github.listDeliveries({ ...query, limit: query.limit + 1 });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items,
    next:
      rows.length > query.limit && last ? { receivedAt: last.receivedAt, id: last.id } : undefined,
  };
}
