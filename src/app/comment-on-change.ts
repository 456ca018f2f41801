import { askDenial } from '../domain/authorization.js';
import { AppError } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import { resolveMentions } from '../domain/mentions.js';
import type { Person } from '../domain/policy.js';
import { recordEvents, type AppDeps } from './deps.js';
import type { ChangeTransaction } from './ports.js';

export interface CommentInput {
  readonly body: string;
  /** A question to the requester: it notifies them, and changes nothing else. */
  readonly question?: boolean;
}

/**
 * Anyone signed in may comment on any change, in any state: the timeline is the
 * conversation. The event records whom the comment reaches, so the history says
 * who was told: `mentions` (the people `@named`), `question: true` (the
 * requester is asked), and `answering` (on the requester's comment: who asked
 * the questions it answers, and hears of it). Notifications plan from these.
 */
export async function commentOnChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  input: string | CommentInput,
): Promise<AuditEvent> {
  const { body, question = false } = typeof input === 'string' ? { body: input } : input;
  const text = body.trim();
  if (!text)
    throw new AppError('invalid_input', 'a comment needs some text', [
      { path: 'body', message: 'must not be empty' },
    ]);
  const mentions = resolveMentions(deps.policy, text, actor.id);
  const at = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    // Lock the change even though it is not modified: the comment then lands in
    // the timeline in the same order as the actions around it.
    const change = await tx.changes.find(id, { forUpdate: true });
    if (!change) throw new AppError('not_found', `no change CHG-${id}`);
    const denial = question ? askDenial(actor, change) : undefined;
    if (denial) throw new AppError(denial.code, denial.message);
    const answering =
      change.requester === actor.id ? await askersWaiting(tx, change.id, actor.id) : [];
    const data = {
      body: text,
      ...(question && { question: true }),
      ...(mentions.length > 0 && { mentions }),
      ...(answering.length > 0 && { answering }),
    };
    const [event] = await recordEvents(
      tx,
      deps,
      change,
      [{ changeId: id, type: 'commented', actor: actor.id, data }],
      at,
    );
    return event!;
  });
}

/** Who asked a question since the requester last commented: their next comment answers it. */
async function askersWaiting(
  tx: ChangeTransaction,
  changeId: number,
  requester: string,
): Promise<string[]> {
  const askers = new Set<string>();
  for (const event of await tx.events.listForChange(changeId)) {
    if (event.type !== 'commented') continue;
    if (event.actor === requester) askers.clear();
    else if (event.data.question === true) askers.add(event.actor);
  }
  return [...askers];
}
