import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Store } from '../../app/ports.js';
import { evaluateChange, takesDecisions } from '../../domain/approval.js';
import type { Policy } from '../../domain/policy.js';
import type { DeliveryOutcome } from '../../notifications/deliverer.js';
import { loadChange } from '../../notifications/channels/render-context.js';
import { escape, slackMessage } from '../../notifications/templates/slack.js';
import { commentReaders } from '../../notifications/plan.js';
import { formatChangeId } from '../../domain/change.js';
import { stateLine } from '../../notifications/templates/state-line.js';
import { summarise } from '../../notifications/templates/summary.js';
import type { Clock } from '../../shared/clock.js';
import { slackFailure } from './api.js';

/** What an update may hear about a message that is gone for good: it is forgotten, the others carry on. */
const MESSAGE_GONE = new Set([
  'message_not_found',
  'cant_update_message',
  'is_archived',
  'channel_not_found',
]);

export interface SlackMessengerDeps {
  readonly policy: Policy;
  readonly store: Pick<Store, 'read' | 'direct'>;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly client: WebClient | undefined;
}

/** Events that say who moved the change last (the status line names them). */
const LIFECYCLE = new Set([
  'submitted',
  'approved',
  'rejected',
  'withdrawn',
  'started',
  'completed',
  'failed',
  'verified',
]);

/**
 * Posts the Slack app's messages about a change and keeps them current. Every
 * message is rendered from the change as it is when sent, so an update that
 * arrives late or twice shows the same (latest) state, never an older one.
 */
export class SlackMessenger {
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly deps: SlackMessengerDeps) {}

  /**
   * Runs `work` without waiting for it: what an answer to Slack must not wait
   * for (Slack wants one within three seconds). A failure goes to `failed`,
   * never to an unhandled rejection.
   */
  inBackground(work: () => Promise<void>, failed: (error: unknown) => void): void {
    const running: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => {
        try {
          failed(error);
        } catch {
          // Logging must not turn into an unhandled rejection either.
        }
      })
      .finally(() => this.#pending.delete(running));
    this.#pending.add(running);
  }

  /** Resolves once the work started with inBackground (and any it started) is done. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Slack's Web API, when SLACK_BOT_TOKEN is set. */
  get client(): WebClient | undefined {
    return this.deps.client;
  }

  /**
   * Posts to each of `post` that has no message yet, then updates every other
   * message about the change. A target that can never be reached (no Slack
   * account for that e-mail, a channel the app cannot see) is reported and
   * the others are still done; a passing failure (rate limit, Slack down)
   * asks for a retry, and the retry posts only what is still missing.
   */
  async sync(changeId: number, post: readonly string[]): Promise<DeliveryOutcome> {
    const { client } = this.deps;
    if (!client) return { ok: false, permanent: true, reason: 'SLACK_BOT_TOKEN is not set' };
    const rendered = await this.#render(changeId);
    if (!rendered)
      return { ok: false, permanent: true, reason: `change ${changeId} no longer exists` };
    const existing = await this.deps.store.read.slackMessages.listForChange(changeId);
    const known = new Set(existing.map((m) => m.target));
    const problems: string[] = [];
    let retry: { reason: string; retryAfterMs?: number } | undefined;
    const note = (target: string, error: unknown) => {
      const failure = slackFailure(error);
      if (failure.permanent) problems.push(`${target}: ${failure.error}`);
      else
        retry ??= {
          reason: `${target}: ${failure.error}`,
          ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }),
        };
    };
    for (const target of new Set(post)) {
      // A request that waited for working hours is moot once its approver can no longer decide.
      if (known.has(target) || !rendered.worthPosting(target)) continue;
      try {
        await this.#post(rendered, target, problems);
      } catch (error) {
        note(target, error);
      }
    }
    for (const message of existing) {
      try {
        await client.chat.update({
          channel: message.channel,
          ts: message.ts,
          ...rendered.body(message.target),
        });
        await this.deps.store.direct.slackMessages.touch(
          changeId,
          message.target,
          this.deps.clock.now().toISOString(),
        );
      } catch (error) {
        // Someone deleted the message, or its channel was archived: forget it rather than fail
        // every later update of the change; the other messages are still brought up to date.
        if (MESSAGE_GONE.has(slackFailure(error).error))
          await this.deps.store.direct.slackMessages.forget(changeId, message.target);
        else note(message.target, error);
      }
    }
    if (retry) return { ok: false, permanent: false, ...retry };
    if (problems.length > 0) return { ok: false, permanent: true, reason: problems.join('; ') };
    return { ok: true };
  }

  /**
   * Tells `personId` in a direct message of a comment that names them (a
   * mention, a question, an answer): their channel of choice is Slack.
   */
  async note(changeId: number, eventId: number | null, personId: string): Promise<DeliveryOutcome> {
    const { client, policy } = this.deps;
    if (!client) return { ok: false, permanent: true, reason: 'SLACK_BOT_TOKEN is not set' };
    const person = policy.people.get(personId);
    const change = await this.deps.store.read.changes.find(changeId);
    const event = (await this.deps.store.read.events.listForChange(changeId)).find(
      (e) => e.id === eventId && e.type === 'commented',
    );
    if (!person || !change || !event)
      return {
        ok: false,
        permanent: true,
        reason: `nothing to tell ${personId} of change ${changeId}`,
      };
    const who = policy.people.get(event.actor)?.name ?? event.actor;
    const why = commentReaders(event, change).get(person.id) ?? 'mention';
    const lead = {
      question: `${who} asked you a question`,
      answer: `${who} answered your question`,
      mention: `${who} mentioned you`,
    }[why];
    const id = formatChangeId(change.id);
    const link = `${this.deps.publicUrl}/changes/${id}`;
    const quoted = escape(typeof event.data.body === 'string' ? event.data.body : '')
      .split('\n')
      .map((line) => `>${line}`)
      .join('\n');
    try {
      const channel =
        person.slack ?? (await client.users.lookupByEmail({ email: person.email })).user?.id;
      if (!channel)
        return { ok: false, permanent: true, reason: `no Slack user for ${person.email}` };
      await client.chat.postMessage({
        channel,
        text: `${escape(lead)} on <${link}|${id} ${escape(change.title)}>:\n${quoted}`,
        unfurl_links: false,
      });
      return { ok: true };
    } catch (error) {
      const failure = slackFailure(error);
      return failure.permanent
        ? { ok: false, permanent: true, reason: failure.error }
        : {
            ok: false,
            permanent: false,
            reason: failure.error,
            ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }),
          };
    }
  }

  async #post(rendered: Rendered, target: string, problems: string[]): Promise<void> {
    const client = this.deps.client!;
    const [kind, id = ''] = splitTarget(target);
    let channel: string;
    let person: string | null = null;
    if (kind === 'person') {
      const found = this.deps.policy.people.get(id);
      if (!found) return void problems.push(`${target}: not in the policy any more`);
      person = found.id;
      // A user id posts to the app's direct message with them (Slack answers with its D… channel).
      channel =
        found.slack ?? (await client.users.lookupByEmail({ email: found.email })).user?.id ?? '';
      if (!channel) return void problems.push(`${target}: no Slack user for ${found.email}`);
    } else {
      channel = this.deps.policy.channels.get(id)?.slackChannel ?? '';
      if (!channel) return void problems.push(`${target}: no such Slack channel in the policy`);
    }
    const answer = await client.chat.postMessage({ channel, ...rendered.body(target) });
    const now = this.deps.clock.now().toISOString();
    const recorded = await this.deps.store.direct.slackMessages.insert({
      changeId: rendered.changeId,
      target,
      person,
      channel: answer.channel ?? channel,
      ts: answer.ts ?? '',
      postedAt: now,
      updatedAt: now,
    });
    // Another job posted this target first: take this copy back, so one message keeps the buttons.
    if (!recorded && answer.channel && answer.ts)
      await client.chat.delete({ channel: answer.channel, ts: answer.ts });
  }

  /** The change as it is now, and how to render its message for each target. */
  async #render(changeId: number): Promise<Rendered | undefined> {
    const { policy } = this.deps;
    const loaded = await loadChange(this.deps, changeId);
    if (!loaded) return undefined;
    const { change, decisions, presence, conflicts } = loaded;
    const events = await this.deps.store.read.events.listForChange(changeId);
    const last = events.findLast((e) => LIFECYCLE.has(e.type));
    const evaluation = evaluateChange(policy, change, decisions, presence);
    const summary = summarise(policy, change, decisions, this.deps.publicUrl, presence, conflicts);
    const status = stateLine(policy, change, decisions, evaluation, last);
    const open = takesDecisions(policy, change, evaluation);
    return {
      changeId,
      worthPosting: (target) => {
        const [kind, id = ''] = splitTarget(target);
        return kind !== 'person' || (open && evaluation.eligibleApprovers.has(id));
      },
      body: (target) => {
        const [kind, id = ''] = splitTarget(target);
        const mine = kind === 'person';
        // The header; the change's id and title follow it, as a link.
        const title = mine ? 'Your approval is requested' : 'Approval requested';
        // A direct message offers the buttons while its approver can still decide.
        const decide =
          open && (!mine || evaluation.eligibleApprovers.has(id))
            ? { changeId, round: change.round }
            : undefined;
        const message = slackMessage(title, summary, { status, decide });
        return { text: String(message.text), blocks: message.blocks as KnownBlock[] };
      },
    };
  }
}

interface Rendered {
  readonly changeId: number;
  body(target: string): { text: string; blocks: KnownBlock[] };
  /** A channel always; a direct message while its approver can still decide. */
  worthPosting(target: string): boolean;
}

function splitTarget(target: string): [string, string | undefined] {
  const at = target.indexOf(':');
  return [target.slice(0, at), target.slice(at + 1)];
}
