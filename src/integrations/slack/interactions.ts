import type { WebClient } from '@slack/web-api';
import { decideChange } from '../../app/decide-change.js';
import type { AppDeps } from '../../app/deps.js';
import { currentPresence } from '../../app/absences.js';
import { assertDecisionComment, evaluateChange, takesDecisions } from '../../domain/approval.js';
import { formatChangeId, type Decision, type Verdict } from '../../domain/change.js';
import { AppError } from '../../domain/errors.js';
import type { Person } from '../../domain/policy.js';
import { escape, SLACK_ACTIONS } from '../../notifications/templates/slack.js';
import { stateLine } from '../../notifications/templates/state-line.js';
import { truncate } from '../../shared/text.js';
import type { SlackMessenger } from './messenger.js';

export interface SlackInteractionDeps extends AppDeps {
  readonly client: WebClient | undefined;
  readonly messenger: Pick<SlackMessenger, 'sync' | 'inBackground'>;
  readonly publicUrl: string;
  readonly log?: (message: string, data: Record<string, unknown>) => void;
}

/** The modal that asks for the reason of a rejection (or the comment an approval needs). */
export const DECISION_MODAL = 'changeboard-decide';
const REASON = 'reason';

/** What Slack sends (the fields read here; Slack sends many more). */
interface SlackUser {
  readonly id: string;
  /** The user's own workspace: another organisation's in a shared (Slack Connect) channel. */
  readonly team_id?: string;
}
interface BlockActions {
  readonly type: 'block_actions';
  readonly user: SlackUser;
  readonly trigger_id?: string;
  readonly container?: { readonly channel_id?: string; readonly message_ts?: string };
  readonly channel?: { readonly id?: string };
  readonly actions?: readonly { readonly action_id?: string; readonly value?: string }[];
}
interface ViewSubmission {
  readonly type: 'view_submission';
  readonly user: SlackUser;
  readonly view: {
    readonly callback_id?: string;
    readonly private_metadata?: string;
    readonly state?: {
      readonly values?: Record<string, Record<string, { readonly value?: string | null }>>;
    };
  };
}

/** Where a modal's decision was asked from: the change, its round, the verdict, and the message's channel. */
interface ModalMetadata {
  readonly changeId: number;
  readonly round: number;
  readonly verdict: Verdict;
  readonly channel?: string;
}

/** Whether `person` may give `verdict` on the round the message was for, as things stand now. */
type Standing =
  | { readonly kind: 'ok' }
  /** The same decision is already recorded: a retry or a second click, answered with nothing. */
  | { readonly kind: 'done' }
  | { readonly kind: 'moved-on'; readonly message: string }
  | { readonly kind: 'refused'; readonly message: string };

/** Slack's answer to a view submission: errors shown under the reason box, or nothing (the modal closes). */
export type ViewAnswer =
  { readonly response_action: 'errors'; readonly errors: Record<string, string> } | undefined;

/**
 * Decides from Slack's buttons and modal, as the person the Slack user is in
 * the policy, through the same use case as the web (decideChange): separation
 * of duties, distinct approvers, stand-ins, holds and comments apply alike.
 * Whatever cannot be done is said to that user alone (an ephemeral message);
 * a click on a message whose change moved on is answered with what happened
 * and the message is brought up to date. A retry of a click that already
 * decided finds its decision recorded and does nothing more. The decision is
 * made before Slack is answered (so a retry finds it); what is said and
 * updated in Slack afterwards is done in the background, as Slack wants its
 * answer within three seconds.
 */
export class SlackInteractions {
  readonly #emails = new Map<string, { email: string | undefined; until: number }>();
  /** The app's own workspace (auth.test), once known. */
  #team: string | undefined;

  constructor(private readonly deps: SlackInteractionDeps) {}

  async blockAction(payload: BlockActions): Promise<void> {
    const action = payload.actions?.[0];
    const verdict =
      action?.action_id === SLACK_ACTIONS.approve
        ? 'approve'
        : action?.action_id === SLACK_ACTIONS.reject
          ? 'reject'
          : undefined;
    // Other buttons (Open change is a link) need no answer.
    const target = parseValue(action?.value);
    if (!verdict || !target) return;
    const channel = payload.container?.channel_id ?? payload.channel?.id;
    const tell = (text: string) => this.#later(() => this.#tell(channel, payload.user.id, text));
    const person = await this.#personOf(payload.user);
    if (typeof person === 'string') return tell(person);
    const standing = await this.#standing(person, target.changeId, target.round, verdict);
    if (standing.kind !== 'ok') {
      if (standing.kind !== 'done') tell(standing.message);
      if (standing.kind !== 'refused') this.#refreshLater(target.changeId);
      return;
    }
    if (needsComment(verdict)) {
      if (!payload.trigger_id) return tell('Slack sent no trigger to open the form: try again.');
      const triggerId = payload.trigger_id;
      this.#later(() => this.#openModal(triggerId, { ...target, verdict, channel }));
      return;
    }
    const refused = await this.#decide(person, { ...target, verdict }, undefined);
    if (refused) tell(refused);
  }

  async viewSubmission(payload: ViewSubmission): Promise<ViewAnswer> {
    if (payload.view.callback_id !== DECISION_MODAL) return undefined;
    const metadata = parseMetadata(payload.view.private_metadata);
    if (!metadata) return errors('This form is not one of Changeboard’s: open the change instead.');
    const person = await this.#personOf(payload.user);
    if (typeof person === 'string') return errors(person);
    const standing = await this.#standing(
      person,
      metadata.changeId,
      metadata.round,
      metadata.verdict,
    );
    if (standing.kind === 'done') return undefined;
    if (standing.kind !== 'ok') {
      if (standing.kind === 'moved-on') this.#refreshLater(metadata.changeId);
      return errors(standing.message);
    }
    const comment = payload.view.state?.values?.[REASON]?.[REASON]?.value?.trim() ?? '';
    if (needsComment(metadata.verdict) && !comment)
      return errors(
        metadata.verdict === 'reject'
          ? 'Say why you reject it: the requester has nothing else to go on.'
          : 'The policy asks for a comment with this approval.',
      );
    const refused = await this.#decide(person, metadata, comment);
    return refused ? errors(refused) : undefined;
  }

  /** Decides; what refused it, said for the person, or undefined when it is recorded (now or before). */
  async #decide(
    person: Person,
    target: { changeId: number; round: number; verdict: Verdict },
    comment: string | undefined,
  ): Promise<string | undefined> {
    try {
      await decideChange(this.deps, person, target.changeId, target.verdict, {
        via: 'slack',
        round: target.round,
        ...(comment && { comment }),
      });
      return undefined;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Two deliveries of one click raced: the other recorded this very decision.
      const standing = await this.#standing(person, target.changeId, target.round, target.verdict);
      if (standing.kind === 'done') return undefined;
      if (standing.kind === 'moved-on') this.#refreshLater(target.changeId);
      return error.message;
    }
  }

  async #standing(
    person: Person,
    changeId: number,
    round: number,
    verdict: Verdict,
  ): Promise<Standing> {
    const { policy, store, clock } = this.deps;
    const read = store.read;
    const change = await read.changes.find(changeId);
    const id = formatChangeId(changeId);
    if (!change) return { kind: 'moved-on', message: `${id} no longer exists.` };
    const given = await read.changes.listDecisions(changeId, round);
    const mine = given.find(
      (d) => d.standIn === person.id || (!d.standIn && d.person === person.id),
    );
    if (mine?.verdict === verdict) return { kind: 'done' };
    if (change.round !== round)
      return {
        kind: 'moved-on',
        message: `${id} was edited after this message was sent, so the approvals asked for then no longer count. The message now shows what is asked now.`,
      };
    const presence = await currentPresence(read, policy, clock.now());
    const evaluation = evaluateChange(policy, change, given, presence);
    if (!takesDecisions(policy, change, evaluation)) {
      const events = await read.events.listForChange(changeId);
      const last = events.findLast((e) => e.type !== 'commented' && e.type !== 'discussed');
      return {
        kind: 'moved-on',
        // The state line quotes a rejection's comment: escaped as the messages escape it (no `<!channel>`).
        message: `${id} has moved on: ${escape(stateLine(policy, change, given, evaluation, last))}. Nothing is left to decide.`,
      };
    }
    if (change.requester === person.id)
      return {
        kind: 'refused',
        message: `You requested ${id}, so you cannot approve or reject it: someone else must.`,
      };
    if (mine) return { kind: 'refused', message: `You already ${pastTense(mine)} ${id}.` };
    const seats = evaluation.capacities.get(person.id) ?? [];
    if (!evaluation.eligibleApprovers.has(person.id)) {
      const open = evaluation.requirements.filter((r) => !r.met).map((r) => r.group);
      return {
        kind: 'refused',
        message: `You are not among the approvers ${id} still needs${open.length ? ` (still open: ${open.join(', ')})` : ''}, so your decision would not count.`,
      };
    }
    if (seats.length > 1)
      return {
        kind: 'refused',
        message: `You can decide on ${id} both in your own name and for someone away: open the change to say which (${this.deps.publicUrl}/changes/${id}).`,
      };
    return { kind: 'ok' };
  }

  /**
   * The policy's person for a Slack user: by `people[].slack`, else by their
   * Slack profile's e-mail, but only for a user of the app's own workspace
   * whose e-mail Slack has confirmed: in a shared (Slack Connect) channel,
   * another organisation sets its users' e-mails. Otherwise what to tell them.
   */
  async #personOf(user: SlackUser): Promise<Person | string> {
    const people = [...this.deps.policy.people.values()];
    const found = people.find((p) => p.slack === user.id);
    if (found) return found.external ? notInPolicy(user.id) : found;
    const team = await this.#ownTeam();
    if (!team || user.team_id !== team) return notInPolicy(user.id, 'not of this workspace');
    const email = await this.#emailOf(user.id);
    if (!email) return notInPolicy(user.id, 'unconfirmed');
    const byEmail = people.find(
      (p) => p.slack === undefined && p.email.toLowerCase() === email.toLowerCase(),
    );
    return byEmail && !byEmail.external ? byEmail : notInPolicy(user.id);
  }

  /** The workspace the app is installed in (auth.test), asked once. */
  async #ownTeam(): Promise<string | undefined> {
    if (this.#team === undefined)
      try {
        this.#team = (await this.deps.client?.auth.test())?.team_id;
      } catch (error) {
        this.deps.log?.('Slack auth.test failed', { error: (error as Error).message });
      }
    return this.#team;
  }

  /** The Slack user's e-mail, when Slack has confirmed it is theirs. */
  async #emailOf(slackUser: string): Promise<string | undefined> {
    const now = this.deps.clock.now().getTime();
    const cached = this.#emails.get(slackUser);
    if (cached && cached.until > now) return cached.email;
    let email: string | undefined;
    try {
      const user = (await this.deps.client?.users.info({ user: slackUser }))?.user;
      email = user?.is_email_confirmed === true ? user.profile?.email : undefined;
    } catch (error) {
      this.deps.log?.('Slack users.info failed', { error: (error as Error).message });
      return undefined;
    }
    this.#emails.set(slackUser, { email, until: now + EMAIL_CACHE_MS });
    return email;
  }

  async #tell(channel: string | undefined, user: string, text: string): Promise<void> {
    if (!channel || !this.deps.client) return;
    try {
      await this.deps.client.chat.postEphemeral({ channel, user, text });
    } catch (error) {
      this.deps.log?.('Slack chat.postEphemeral failed', { error: (error as Error).message });
    }
  }

  /** Work that Slack's answer does not wait for; a failure is logged. */
  #later(work: () => Promise<void>): void {
    this.deps.messenger.inBackground(work, (error) =>
      this.deps.log?.('Slack work after the answer failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }

  /**
   * Brings the change's messages up to date after the answer (no event caused
   * it, so no outbox row will); each update may take seconds.
   */
  #refreshLater(changeId: number): void {
    this.#later(async () => {
      const outcome = await this.deps.messenger.sync(changeId, []);
      if (!outcome.ok) this.deps.log?.('Slack messages not updated', { reason: outcome.reason });
    });
  }

  async #openModal(triggerId: string, metadata: ModalMetadata): Promise<void> {
    const id = formatChangeId(metadata.changeId);
    const change = await this.deps.store.read.changes.find(metadata.changeId);
    const reject = metadata.verdict === 'reject';
    try {
      await this.deps.client?.views.open({
        trigger_id: triggerId,
        view: {
          type: 'modal',
          callback_id: DECISION_MODAL,
          private_metadata: JSON.stringify(metadata),
          title: {
            type: 'plain_text',
            text: `${reject ? 'Reject' : 'Approve'} ${id}`.slice(0, 24),
          },
          submit: { type: 'plain_text', text: reject ? 'Reject' : 'Approve' },
          close: { type: 'plain_text', text: 'Cancel' },
          blocks: [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: `*<${this.deps.publicUrl}/changes/${id}|${escape(truncate(`${id} · ${change?.title ?? ''}`, 200))}>*`,
              },
            },
            {
              type: 'input',
              block_id: REASON,
              label: {
                type: 'plain_text',
                text: reject ? 'Why do you reject it?' : 'Your comment',
              },
              hint: {
                type: 'plain_text',
                text: reject
                  ? 'The requester reads this; it is kept in the change’s record.'
                  : 'The policy asks for a comment with this approval; it is kept in the change’s record.',
              },
              element: {
                type: 'plain_text_input',
                action_id: REASON,
                multiline: true,
                max_length: 3000,
              },
            },
          ],
        },
      });
    } catch (error) {
      // A retried click finds its trigger spent (the first delivery opened the form).
      this.deps.log?.('Slack views.open failed', { error: (error as Error).message });
    }
  }
}

const EMAIL_CACHE_MS = 5 * 60_000;

/** Whether the policy wants a comment with this verdict: the domain's own rule, never a copy. */
function needsComment(verdict: Verdict): boolean {
  try {
    assertDecisionComment(verdict, null);
    return false;
  } catch {
    return true;
  }
}

function parseValue(value: string | undefined): { changeId: number; round: number } | undefined {
  const match = /^(\d{1,12}):(\d{1,9})$/.exec(value ?? '');
  return match ? { changeId: Number(match[1]), round: Number(match[2]) } : undefined;
}

function parseMetadata(text: string | undefined): ModalMetadata | undefined {
  try {
    const value = JSON.parse(text ?? '') as Partial<ModalMetadata>;
    if (
      Number.isInteger(value.changeId) &&
      Number.isInteger(value.round) &&
      (value.verdict === 'approve' || value.verdict === 'reject')
    )
      return value as ModalMetadata;
  } catch {
    // Not ours.
  }
  return undefined;
}

function errors(message: string): ViewAnswer {
  return { response_action: 'errors', errors: { [REASON]: message } };
}

function notInPolicy(slackUser: string, why?: 'not of this workspace' | 'unconfirmed'): string {
  const reason =
    why === 'not of this workspace'
      ? 'your Slack account belongs to another workspace, so its e-mail does not say who you are here'
      : why === 'unconfirmed'
        ? 'Slack gave no confirmed e-mail of yours, so it cannot say who you are'
        : 'your Slack e-mail matches no person of the policy';
  return `Changeboard does not know who you are in Slack (${slackUser}): ${reason}. Ask an admin to add \`slack: ${slackUser}\` to your entry under people in changeboard.yaml.`;
}

function pastTense(decision: Decision): string {
  return decision.verdict === 'approve' ? 'approved' : 'rejected';
}
