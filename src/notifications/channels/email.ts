import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { createActionLinks } from '../../app/action-links.js';
import { mintExternalLink } from '../../app/external-links.js';
import { agendaOf } from '../../app/meetings.js';
import { formatChangeId } from '../../domain/change.js';
import { AppError } from '../../domain/errors.js';
import { findMeeting } from '../../domain/meetings.js';
import { presentAgenda } from '../../http/agenda.js';
import { renderAgendaEmail } from '../templates/agenda-email.js';
import { mintSignInLink, signInUrl, SIGN_IN_LINK_TTL_MS } from '../../app/sign-in.js';
import type { Person } from '../../domain/policy.js';
import type { OutboxMessage } from '../../app/ports.js';
import { evaluateChange, takesDecisions } from '../../domain/approval.js';
import type { Deliverer, DeliveryOutcome } from '../deliverer.js';
import type { NotificationTopic } from '../plan.js';
import { renderEmail, type EmailSection, type RenderedEmail } from '../templates/email.js';
import { headline, summarise } from '../templates/summary.js';
import { loadChange, type DeliveryDeps } from './render-context.js';

export interface EmailDeps extends DeliveryDeps {
  /** Undefined when SMTP_URL is unset: e-mails are then dead-lettered with that reason. */
  readonly transport: Transporter | undefined;
  readonly from: string;
  readonly linkTtlMs: number;
}

/**
 * E-mail to one person. Everything due for them at once (typically what waited
 * for their working hours) goes out as one digest. Requests that are no longer
 * needed when the mail is sent (the change was decided or edited meanwhile) are
 * skipped rather than sent stale.
 */
export function emailDeliverer(deps: EmailDeps): Deliverer {
  return {
    kind: 'email',
    async deliver(messages) {
      const person = deps.policy.people.get(messages[0]!.target);
      if (!person)
        return messages.map(() =>
          failure(true, `"${messages[0]!.target}" is not a person in the policy`),
        );
      if (!deps.transport)
        return messages.map(() => failure(true, 'e-mail is not configured: set SMTP_URL'));

      const outcomes: (DeliveryOutcome | undefined)[] = [];
      const sections: EmailSection[] = [];
      const included: number[] = [];
      for (const [index, message] of messages.entries()) {
        const topic = message.payload as NotificationTopic;
        if (topic.template === 'agenda') {
          // An agenda is a mail of its own, never part of a digest.
          outcomes[index] = await sendAgenda(deps, person, message, topic);
          continue;
        }
        const section = await sectionFor(deps, message, person.id);
        if ('skipped' in section) {
          outcomes[index] = { ok: true, skipped: section.skipped };
        } else if (section.signIn) {
          // A live sign-in link goes at once in a mail of its own, never in a digest.
          outcomes[index] = await sendMail(deps, person, [section], [message.id]);
        } else {
          sections.push(section);
          included.push(index);
        }
      }
      if (sections.length > 0) {
        const ids = included.map((i) => messages[i]!.id);
        const outcome = await sendMail(deps, person, sections, ids);
        for (const index of included) outcomes[index] = outcome;
      }
      return outcomes.map((o) => o ?? failure(false, 'not rendered'));
    },
  };
}

async function sendAgenda(
  deps: EmailDeps,
  person: Person,
  message: OutboxMessage,
  topic: Extract<NotificationTopic, { template: 'agenda' }>,
): Promise<DeliveryOutcome> {
  const meeting = findMeeting(deps.policy, topic.meeting);
  if (!meeting) return { ok: true, skipped: `the policy has no meeting "${topic.meeting}" now` };
  const now = deps.clock.now();
  let agenda;
  try {
    agenda = presentAgenda(
      { policy: deps.policy, publicUrl: deps.publicUrl },
      await agendaOf(deps, meeting.id, topic.sitting),
    );
  } catch (error) {
    if (error instanceof AppError)
      return { ok: true, skipped: `${meeting.name} no longer sits at ${topic.sitting}` };
    throw error;
  }
  if (agenda.sitting && agenda.sitting.end <= now.toISOString())
    return { ok: true, skipped: 'the sitting is over' };
  if (agenda.items.length === 0)
    return {
      ok: true,
      skipped: 'nothing is left on the agenda: every change was decided meanwhile',
    };
  let outcomeLinks: Map<string, string> | undefined;
  let linksExpireAt: string | undefined;
  if (person.external) {
    // They never sign in: each change gets a link of its own that records the outcome.
    outcomeLinks = new Map();
    const changes = await deps.store.read.changes.findMany(agenda.items.map((i) => i.number));
    for (const change of changes) {
      const link = await mintExternalLink(deps.store.direct, {
        person: person.id,
        change,
        now,
        ttlMs: deps.policy.externalLinkTtlMs,
        meeting: meeting.name,
      });
      outcomeLinks.set(formatChangeId(change.id), `${deps.publicUrl}/external/${link.token}`);
      linksExpireAt = link.expiresAt;
    }
  }
  const mail = renderAgendaEmail({
    recipientName: person.name,
    organization: deps.policy.organization,
    agenda,
    outcomeLinks,
    linksExpireAt,
  });
  return sendRendered(deps, person, mail, [message.id]);
}

async function sendMail(
  deps: EmailDeps,
  person: Person,
  sections: readonly EmailSection[],
  ids: readonly string[],
): Promise<DeliveryOutcome> {
  return sendRendered(
    deps,
    person,
    renderEmail(person.name, sections, deps.policy.organization),
    ids,
  );
}

/** Sends a rendered mail for these outbox messages, and keeps it in the demo inbox once sent. */
async function sendRendered(
  deps: EmailDeps,
  person: Person,
  mail: RenderedEmail,
  ids: readonly string[],
): Promise<DeliveryOutcome> {
  const outcome = await send(deps, {
    to: { name: person.name, address: person.email },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    // The outbox id is the idempotency key: a retried message keeps its Message-ID.
    messageId:
      ids.length === 1
        ? `<${ids[0]}@changeboard>`
        : `<digest-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32)}@changeboard>`,
    headers: { 'X-Changeboard-Delivery': ids.join(', ') },
  });
  if (outcome.ok)
    deps.inbox?.record({
      kind: 'email',
      at: deps.clock.now().toISOString(),
      to: `${person.name} <${person.email}>`,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
    });
  return outcome;
}

async function sectionFor(
  deps: EmailDeps,
  message: OutboxMessage,
  personId: string,
): Promise<EmailSection | { skipped: string }> {
  const topic = message.payload as NotificationTopic;
  if (topic.template === 'sign-in-link') {
    const now = deps.clock.now();
    if (now.getTime() - Date.parse(topic.requestedAt) > SIGN_IN_LINK_TTL_MS)
      return { skipped: 'the sign-in link was asked for too long ago to be of use' };
    const token = await mintSignInLink(deps.store.direct, personId, now);
    return {
      headline: 'Your Changeboard sign-in link',
      signIn: { url: signInUrl(deps.publicUrl, token), validMinutes: SIGN_IN_LINK_TTL_MS / 60_000 },
      detailed: false,
    };
  }
  // Who is away decides who is written to: as stored now, never as kept.
  const loaded = await loadChange({ ...deps, presenceCache: undefined }, message.changeId);
  if (!loaded) return { skipped: `change ${message.changeId} no longer exists` };
  const { change, decisions, presence, conflicts } = loaded;
  const summary = summarise(deps.policy, change, decisions, deps.publicUrl, presence, conflicts);
  const title = headline(deps.policy, topic, summary);
  switch (topic.template) {
    case 'approval-requested':
    case 'reminder': {
      // Pending, or started early with approvals still open: the request still stands.
      const evaluation = evaluateChange(deps.policy, change, decisions, presence);
      if (!takesDecisions(deps.policy, change, evaluation) || change.round !== topic.round)
        return { skipped: `the change is ${change.state} and no longer waits for this request` };
      if (presence.awayNow(personId))
        return {
          skipped: 'they are away: their stand-in is asked, and they are when they are back',
        };
      if (!evaluation.eligibleApprovers.has(personId))
        return { skipped: 'no longer needed from this person' };
      const actions = await createActionLinks(deps.store.direct, {
        person: personId,
        change,
        now: deps.clock.now(),
        ttlMs: deps.linkTtlMs,
      });
      const link = (token: string) => `${deps.publicUrl}/actions/${token}`;
      return {
        headline: title,
        summary,
        detailed: true,
        actions: {
          approve: link(actions.approve),
          reject: link(actions.reject),
          expiresAt: actions.expiresAt,
        },
      };
    }
    case 'external-invitation': {
      const evaluation = evaluateChange(deps.policy, change, decisions, presence);
      if (!takesDecisions(deps.policy, change, evaluation) || change.round !== topic.round)
        return { skipped: `the change is ${change.state} and no longer waits for this request` };
      if (!evaluation.eligibleApprovers.has(personId))
        return { skipped: 'no longer needed from this person' };
      const link = await mintExternalLink(deps.store.direct, {
        person: personId,
        change,
        now: deps.clock.now(),
        ttlMs: deps.policy.externalLinkTtlMs,
      });
      return {
        headline: title,
        summary,
        detailed: true,
        external: { url: `${deps.publicUrl}/external/${link.token}`, expiresAt: link.expiresAt },
      };
    }
    case 'escalation':
      if (
        !takesDecisions(
          deps.policy,
          change,
          evaluateChange(deps.policy, change, decisions, presence),
        ) ||
        change.round !== topic.round
      )
        return { skipped: `the change is ${change.state} and no longer waits for approval` };
      return { headline: title, summary, detailed: false };
    case 'review-reminder':
    case 'review-escalation':
      if (change.review?.doneAt !== null || change.review.due !== topic.due)
        return { skipped: 'the review was filed, or is no longer owed' };
      return { headline: title, summary, detailed: false };
    case 'draft-from-pull-request':
      return { headline: title, summary, detailed: true };
    case 'event':
      return { headline: title, summary, comment: topic.comment, detailed: false };
    case 'comment':
      return {
        headline: title,
        summary,
        comment: topic.comment,
        commentLabel: topic.why === 'question' ? 'Question' : 'Comment',
        // The answer is a comment on the change page, which the mail links to.
        detailed: false,
      };
    case 'agenda':
      return { skipped: 'an agenda is sent on its own' };
  }
}

async function send(
  deps: EmailDeps,
  mail: Parameters<Transporter['sendMail']>[0],
): Promise<DeliveryOutcome> {
  try {
    await deps.transport!.sendMail({ from: deps.from, ...mail });
    return { ok: true };
  } catch (error) {
    const e = error as Error & { responseCode?: number; code?: string; response?: string };
    const reason =
      e.code === 'EAUTH'
        ? `SMTP authentication failed: ${e.response ?? e.message}`
        : e.response
          ? `SMTP ${e.response}`
          : `${e.code ? `${e.code}: ` : ''}${e.message}`;
    // 5xx answers and rejected credentials will not fix themselves; 4xx and network trouble might.
    const permanent = (e.responseCode !== undefined && e.responseCode >= 500) || e.code === 'EAUTH';
    return failure(permanent, reason);
  }
}

function failure(permanent: boolean, reason: string): DeliveryOutcome {
  return { ok: false, permanent, reason };
}
