import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Frozen. The reviews still owed, by type and due date: the review reminders ask
 * for one type's overdue reviews every round, and with only `changes_review_due`
 * and `changes_type_id` to choose from, SQLite walked every change of the type
 * (a normal change at 100,000 changes: 70–200 ms, holding the process's only
 * thread). Partial, so it holds only changes that owe a review.
 */
export function reviewsOwed(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql`create index changes_reviews_owed on changes (type, review_due_at)
        where reviewed_at is null and review_due_at is not null`.execute(db);
    },
  };
}
