import { AppError } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import type { Person } from '../domain/policy.js';
import { recordEvents, type AppDeps } from './deps.js';

/** Anyone signed in may comment on any change, in any state: the timeline is the conversation. */
export async function commentOnChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  body: string,
): Promise<AuditEvent> {
  const text = body.trim();
  if (!text)
    throw new AppError('invalid_input', 'a comment needs some text', [
      { path: 'body', message: 'must not be empty' },
    ]);
  const at = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    // Lock the change even though it is not modified: the comment then lands in
    // the timeline in the same order as the actions around it.
    const change = await tx.changes.find(id, { forUpdate: true });
    if (!change) throw new AppError('not_found', `no change CHG-${id}`);
    const [event] = await recordEvents(
      tx,
      deps,
      change,
      [{ changeId: id, type: 'commented', actor: actor.id, data: { body: text } }],
      at,
    );
    return event!;
  });
}
