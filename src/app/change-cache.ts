import type { Change, Decision } from '../domain/change.js';
import type { ChangeKey, Readers } from './ports.js';
import { RecentlyUsed } from '../shared/recently-used.js';
import type { ChangeWithDecisions } from './read-changes.js';

/**
 * The changes a board page shows, kept by version. Every write of a change
 * raises its version (saveChange insists), and a decision is only ever written
 * together with such a write, so a change and its current decisions never
 * differ within one version: a page's keys (ids and versions, read from the
 * database each time) say exactly which entries are still good. Unchanged
 * changes come back as the same objects, so what is derived from them can be
 * kept too (the presenters do). Each process keeps its own; the database stays
 * the only truth.
 */
export class ChangeCache {
  readonly #entries: RecentlyUsed<number, ChangeWithDecisions>;

  constructor(capacity = 1_000) {
    this.#entries = new RecentlyUsed(capacity);
  }

  /**
   * The changes of `keys`, in their order: from the cache where the version
   * matches, else read. Undefined when one of them has been written since its
   * key was read: the page no longer holds together (a change may have left its
   * filter), so read the page again.
   */
  async load(
    repos: Readers,
    keys: readonly ChangeKey[],
  ): Promise<ChangeWithDecisions[] | undefined> {
    const found = new Map<number, ChangeWithDecisions>();
    const missing: number[] = [];
    for (const { id, version } of keys) {
      const entry = this.#entries.get(id);
      if (entry?.change.version === version) found.set(id, entry);
      else missing.push(id);
    }
    if (missing.length > 0) {
      // Decisions first, the changes after: a change still at its key's version was
      // not written meanwhile, so the decisions read are exactly that version's.
      const decisions = await repos.changes.listDecisionsForMany(missing);
      const changes = await repos.changes.findMany(missing);
      const versions = new Map(keys.map((key) => [key.id, key.version]));
      for (const change of changes) {
        if (change.version !== versions.get(change.id)) return undefined;
        found.set(change.id, withDecisions(change, decisions.get(change.id) ?? []));
      }
    }
    const items: ChangeWithDecisions[] = [];
    const read = new Set(missing);
    for (const { id } of keys) {
      const item = found.get(id);
      if (!item) continue;
      // What was found here is already marked as used; what was read joins it, in the page's order.
      if (read.has(id)) this.#entries.set(id, item);
      items.push(item);
    }
    return items;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** A change with the decisions of its current round (an edit or a new submission starts a new one). */
export function withDecisions(change: Change, decisions: readonly Decision[]): ChangeWithDecisions {
  return { change, decisions: decisions.filter((d) => d.round === change.round) };
}
