import type { Absence } from '../../domain/absence.js';

/** Absences, one per person; recording another replaces it. */

export interface StoredAbsence extends Absence {
  /** Who recorded it: the person, or an admin. */
  readonly setBy: string;
  readonly setAt: string;
}

export interface AbsenceRepository {
  /** Every stored absence, ended ones included until replaced or removed; few, so read whole. */
  list(): Promise<StoredAbsence[]>;
  find(person: string): Promise<StoredAbsence | undefined>;
  /** Records `absence`, replacing the person's earlier one. */
  put(absence: StoredAbsence): Promise<void>;
  /**
   * Removes this absence (the one recorded at `setAt`); false when there was none to
   * remove: another process ended it first, or a newer one replaced it.
   */
  remove(person: string, setAt: string): Promise<boolean>;
}
