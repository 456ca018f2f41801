import type { StoredAbsence } from '../app/ports.js';

/**
 * What the jobs of one group-commit batch (group-commit.ts) read once and
 * share. Every change written asks who is away, to route its notifications:
 * one read of the absences serves the whole batch, as if each job had run at
 * its start. A job that writes an absence, or is rolled back, forgets it, so
 * the jobs after it read again and see exactly what is stored; so does one that
 * waited for another process's lock on its change (PostgreSQL), so that it
 * decides on who is away as that process left it.
 */
export class BatchReads {
  #absences: Promise<readonly StoredAbsence[]> | undefined;

  absences(read: () => Promise<StoredAbsence[]>): Promise<StoredAbsence[]> {
    this.#absences ??= read();
    return this.#absences.then((absences) => [...absences]);
  }

  forget(): void {
    this.#absences = undefined;
  }
}
