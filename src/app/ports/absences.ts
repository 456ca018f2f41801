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
  /** False when there was nothing to remove (another process ended it first). */
  remove(person: string): Promise<boolean>;
}
