import { createHash } from 'node:crypto';
import type { ChangeEvidence } from '../app/change-evidence.js';
import { formatChangeId, type Answers, type RequirementSpec } from '../domain/change.js';
import { subjectOf } from '../domain/change-content.js';
import { collectDecisions, collectRounds, type EvidenceDecision } from '../domain/evidence.js';
import { canonicalEventText, GENESIS_HASH, type AuditEvent } from '../domain/events.js';
import { SERVICE_APPROVERS, type Field, type Person, type Policy } from '../domain/policy.js';
import { describeCondition } from '../domain/requirement-reasons.js';
import { explainRequirements } from '../domain/requirements.js';
import { escapeHtml } from './html.js';

/**
 * The evidence report (GET /changes/{id}/evidence, `changeboard evidence`): one
 * change's record as a self-contained HTML page an auditor can keep or print.
 * No script, nothing loaded from anywhere: one inline stylesheet, allowed by
 * its hash in the page's own Content-Security-Policy, so a copy saved to disk
 * is as inert as the page the server sends.
 */

export interface EvidenceReportContext {
  /** The policy this process runs: names and labels when the policy in force is not stored. */
  readonly policy: Policy;
  readonly publicUrl: string;
  /** Who asked for the report. */
  readonly viewer: Person;
}

const STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; background: #f6f7f9; color: #1f2328; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
  main { max-width: 980px; margin: 24px auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 24px 32px; }
  h1 { font-size: 1.45rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
  h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid #d0d7de; }
  h3 { font-size: .95rem; margin: 1rem 0 .25rem; }
  p { margin: .4rem 0; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
  dt { color: #656d76; }
  dd { margin: 0; overflow-wrap: anywhere; }
  table { width: 100%; border-collapse: collapse; margin: .5rem 0; }
  th, td { text-align: left; vertical-align: top; padding: .3rem .45rem; border-bottom: 1px solid #d8dee4; overflow-wrap: anywhere; }
  th { font-size: .8rem; color: #656d76; font-weight: 600; white-space: nowrap; }
  td.nowrap { white-space: nowrap; overflow-wrap: normal; }
  code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .8rem; }
  .hash { word-break: break-all; }
  .muted { color: #656d76; } .small { font-size: .85rem; }
  .text { white-space: pre-wrap; overflow-wrap: anywhere; }
  .verdict { padding: .6rem .9rem; border-radius: 6px; border: 1px solid; margin: .75rem 0; }
  .ok { background: #dafbe1; border-color: #4ac26b; }
  .bad { background: #ffebe9; border-color: #cf222e; }
  .approve { color: #1a7f37; font-weight: 600; } .reject { color: #cf222e; font-weight: 600; }
  .decision { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .9rem; margin: .6rem 0; }
  .decision h3 { margin: .2rem 0 .35rem; }
  ul { margin: .25rem 0; padding-left: 1.25rem; }
  pre.canonical { white-space: pre-wrap; word-break: break-all; background: #f6f8fa; border: 1px solid #d8dee4; border-radius: 4px; padding: .35rem .5rem; margin: .2rem 0 .6rem; font-size: .72rem; }
  @page { size: A4; margin: 14mm 12mm; }
  @media print {
    body { background: #fff; font-size: 9.5pt; }
    main { max-width: none; margin: 0; padding: 0; border: 0; border-radius: 0; }
    a { color: inherit; text-decoration: none; }
    a[href]::after { content: " <" attr(href) ">"; font-size: .85em; color: #656d76; word-break: break-all; }
    h2, h3 { break-after: avoid; }
    tr, .decision, .verdict, pre.canonical { break-inside: avoid; }
    thead { display: table-header-group; }
    .appendix { break-before: page; }
  }
`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Served with the report, and written into it so a saved copy keeps it. */
export const EVIDENCE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'`;

/** Markup built here: interpolated values are escaped unless they are Markup themselves. */
class Markup {
  constructor(readonly text: string) {}
}

/** What a template takes: `false`, null and undefined render as nothing (for `cond && html\`…\``). */
type Part = Markup | string | number | false | null | undefined | readonly Part[];

function html(strings: TemplateStringsArray, ...values: Part[]): Markup {
  let text = strings[0]!;
  values.forEach((value, i) => {
    text += render(value) + strings[i + 1]!;
  });
  return new Markup(text);
}

function render(value: Part): string {
  if (value instanceof Markup) return value.text;
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return String(value);
  if (value === false || value === null || value === undefined) return '';
  return value.map(render).join('');
}

/** What the sections share: the evidence, and how to name people and fields in it. */
interface Report {
  readonly evidence: ChangeEvidence;
  readonly ctx: EvidenceReportContext;
  readonly decisions: readonly EvidenceDecision[];
  /** The policy in force when the change was last submitted (else the running one). */
  readonly submittedUnder: Policy;
  /** "Kim Park (kim)". */
  person(id: string | null | undefined): string;
}

export function renderEvidenceReport(evidence: ChangeEvidence, ctx: EvidenceReportContext): string {
  const policyAt = (hash: string) => evidence.policies.get(hash)?.policy;
  const rounds = collectRounds(evidence.events);
  const lastSubmission = evidence.events.findLast(
    (e) => e.type === 'submitted' || rounds.some((r) => r.openedBy === e),
  );
  const submittedUnder = (lastSubmission && policyAt(lastSubmission.policyHash)) ?? ctx.policy;
  const known = [ctx.policy, ...[...evidence.policies.values()].flatMap((p) => p.policy ?? [])];
  const report: Report = {
    evidence,
    ctx,
    submittedUnder,
    decisions: collectDecisions(evidence.events, rounds, (hash) => {
      const policy = policyAt(hash);
      return policy && ((group) => policy.groups.get(group) ?? []);
    }),
    person(id) {
      if (!id) return 'nobody (unassigned)';
      const name = known.map((p) => p.people.get(id)?.name).find(Boolean);
      return name ? `${name} (${id})` : id;
    },
  };
  const id = formatChangeId(evidence.change.id);
  const body = html`<header>
      <p class="muted small">${ctx.policy.organization} · Changeboard evidence report</p>
      <h1>${id}: ${evidence.change.title}</h1>
      <p class="muted small">
        Prepared ${evidence.checkedAt} for ${report.person(ctx.viewer.id)} from ${ctx.publicUrl}.
        Every time is UTC, as recorded (ISO 8601).
      </p>
    </header>
    ${verdictSection(report)} ${changeSection(report)} ${answersSection(report)}
    ${requirementsSection(report)} ${decisionsSection(report)} ${meetingsSection(report)}
    ${reviewSection(report)} ${policiesSection(report)} ${timelineSection(report)}
    ${proofSection(report)} ${howToCheckSection(report)} ${canonicalAppendix(report)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(EVIDENCE_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(`${id} evidence report · ${evidence.change.title}`)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body.text}
</main></body>
</html>
`;
}

function verdictSection({ evidence }: Report): Markup {
  const { chain, problems } = evidence;
  const intact = chain.ok && problems.length === 0;
  return html`<section aria-labelledby="verdict">
    <h2 id="verdict">Integrity</h2>
    <div class="verdict ${intact ? 'ok' : 'bad'}">
      ${
        chain.ok
          ? html`<p>
              <strong>The history is intact:</strong> all ${chain.count} events of this Changeboard
              re-hash to their recorded hashes and link up to the recorded head
              <span class="hash">${chain.lastHash}</span>, checked at ${evidence.checkedAt}.
            </p>`
          : html`<p>
              <strong>THE HISTORY IS NOT INTACT:</strong> event ${chain.firstBad.eventId}:
              ${chain.firstBad.reason} (${chain.count} events before it verified).
            </p>`
      }
      ${
        problems.length === 0
          ? html`<p>
              <strong>This change's record agrees with its events:</strong> its state, version,
              requirements, decisions and review are what its ${evidence.events.length} events say,
              each approval met its requirements under the policy then in force, and every policy
              they cite is stored unaltered.
            </p>`
          : html`<p><strong>This change's record does not hold:</strong></p>
              <ul>
                ${problems.map((p) => html`<li>${p}</li>`)}
              </ul>`
      }
    </div>
  </section>`;
}

function changeSection(report: Report): Markup {
  const { change } = report.evidence;
  const policy = report.submittedUnder;
  const typeLabel = policy.changeTypes.get(change.type)?.label ?? change.type;
  const services = change.services.map(
    (s) => `${policy.services.get(s)?.name ?? report.ctx.policy.services.get(s)?.name ?? s} (${s})`,
  );
  const template = change.template
    ? (policy.standardChanges ?? report.ctx.policy.standardChanges ?? []).find(
        (t) => t.id === change.template!.id,
      )
    : undefined;
  const window = change.plannedStart
    ? `${change.plannedStart} – ${change.plannedEnd ?? '(no end given)'}`
    : 'not planned';
  return html`<section aria-labelledby="change">
    <h2 id="change">The change</h2>
    <dl>
      <dt>Change</dt>
      <dd>${formatChangeId(change.id)} (version ${change.version}, round ${change.round})</dd>
      <dt>Title</dt>
      <dd>${change.title}</dd>
      <dt>Type</dt>
      <dd>${typeLabel} (${change.type})</dd>
      <dt>Services</dt>
      <dd>${services.join(', ') || 'none'}</dd>
      <dt>Requester</dt>
      <dd>${report.person(change.requester)}</dd>
      <dt>State</dt>
      <dd>${change.state.replace('_', ' ')}</dd>
      <dt>Planned window</dt>
      <dd>${window}</dd>
      <dt>Created</dt>
      <dd>${change.createdAt}</dd>
      <dt>Submitted</dt>
      <dd>${change.submittedAt ?? 'not submitted'}</dd>
      ${
        change.template &&
        html`<dt>Standard change</dt>
          <dd>
            ${template ? `${template.title} ` : ''}(${change.template.id}, version
            ${change.template.version})${template ? `, accepted by ${report.person(template.approvedBy)} on ${template.approvedOn}` : ''}
          </dd>`
      }
      ${
        change.pullRequest &&
        html`<dt>Pull request</dt>
          <dd>
            ${link(change.pullRequest.url, `${change.pullRequest.repository}#${change.pullRequest.number}`)}
            by @${change.pullRequest.author}, head
            ${change.pullRequest.headSha}${change.pullRequest.mergeSha ? `, merged as ${change.pullRequest.mergeSha}` : ''}
          </dd>`
      }
      <dt>Links</dt>
      <dd>
        ${
          change.links.length === 0
            ? 'none'
            : html`<ul>
                ${change.links.map((l) => html`<li>${link(l.url, l.title)}</li>`)}
              </ul>`
        }
      </dd>
    </dl>
    <h3>Description</h3>
    <p><span class="text">${change.description || '(none)'}</span></p>
  </section>`;
}

/** A link only for web addresses: anything else is shown as text, never followed. */
function link(url: string, title: string): Markup {
  return /^https?:\/\//i.test(url) ? html`<a href="${url}">${title}</a>` : html`${title} (${url})`;
}

function answersSection(report: Report): Markup {
  const { answers } = report.evidence.change;
  return html`<section aria-labelledby="answers">
    <h2 id="answers">Answers</h2>
    <p class="muted small">
      The policy's questions, labelled as the policy in force at submission asks them.
    </p>
    ${answerTable(answers, [...report.submittedUnder.fields, ...report.ctx.policy.fields])}
  </section>`;
}

/** Answers under the first field of each id's label, in the fields' order, then any the fields no longer ask. */
function answerTable(answers: Answers, fields: readonly Field[]): Markup {
  const ids = Object.keys(answers);
  if (ids.length === 0) return html`<p>No answers.</p>`;
  const labelOf = (id: string) => fields.find((f) => f.id === id)?.label;
  const ordered = [
    ...new Set([...fields.map((f) => f.id).filter((id) => ids.includes(id)), ...ids]),
  ];
  return html`<table>
    <thead>
      <tr>
        <th>Question</th>
        <th>Answer</th>
      </tr>
    </thead>
    <tbody>
      ${ordered.map(
        (id) =>
          html`<tr>
            <td>${labelOf(id) ?? id} <span class="muted small">(${id})</span></td>
            <td><span class="text">${formatAnswer(answers[id]!)}</span></td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function formatAnswer(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

function requirementLine(requirement: RequirementSpec): Markup {
  return html`<strong>${requirement.group}</strong> ×
    ${requirement.count}${requirement.service ? ` (for ${requirement.service})` : ''}${requirement.reason ? html`, because ${requirement.reason}` : ''}`;
}

function requirementsSection(report: Report): Markup {
  const rounds = collectRounds(report.evidence.events);
  if (rounds.length === 0)
    return html`<section aria-labelledby="requirements">
      <h2 id="requirements">Approvals asked for</h2>
      <p>None: the change was never submitted.</p>
    </section>`;
  const { change } = report.evidence;
  return html`<section aria-labelledby="requirements">
    <h2 id="requirements">Approvals asked for</h2>
    <p class="muted small">
      Each round of approval, the rules of the policy that required each approval, and who approved
      for it. An edit of a pending change opens a new round and withdraws the approvals of the last.
    </p>
    ${rounds.map((round) => {
      const policy = report.evidence.policies.get(round.openedBy.policyHash)?.policy;
      const requirements = policy
        ? explainRequirements(policy, subjectOf(change), round.requirements)
        : round.requirements;
      const approvals = report.decisions.filter(
        (d) => d.round === round.round && d.verdict === 'approve',
      );
      return html`<h3>
          Round ${round.round}, asked ${round.openedBy.at} (event ${round.openedBy.id}, policy
          <span class="hash">${round.openedBy.policyHash}</span>)
        </h3>
        ${
          requirements.length === 0
            ? html`<p>No approval required: pre-approved.</p>`
            : html`<ul>
                ${requirements.map((r) => {
                  const by = approvals.filter((d) =>
                    d.requirements.some((q) => q.group === r.group),
                  );
                  return html`<li>
                    ${requirementLine(r)}:
                    ${by.length === 0 ? 'no approval recorded' : `approved by ${by.map((d) => report.person(d.person)).join(', ')}`}
                  </li>`;
                })}
              </ul>`
        }`;
    })}
  </section>`;
}

const VIAS: Readonly<Record<string, string>> = {
  'external-link': "an external approver's signed link, sent by e-mail",
  'email-link': "the Approve / Reject link of the approver's own e-mail",
  slack: 'the Approve / Reject buttons of the Changeboard app in Slack',
  teams: 'the Approve / Reject buttons of the Changeboard bot in Microsoft Teams',
};

function viaText(via: string | undefined): string {
  if (via === undefined) return 'Changeboard itself: the web app, the API or the CLI';
  return VIAS[via] ?? via;
}

function decisionsSection(report: Report): Markup {
  const { decisions } = report;
  return html`<section aria-labelledby="decisions">
    <h2 id="decisions">Decisions</h2>
    ${
      decisions.length === 0
        ? html`<p>No one has decided on this change.</p>`
        : decisions.map(
            (d) =>
              html`<div class="decision">
                <h3>
                  <span class="${d.verdict}"
                    >${d.verdict === 'approve' ? 'Approved' : 'Rejected'}</span
                  >
                  by
                  ${report.person(d.standIn ?? d.person)}${d.standIn ? html`, for ${report.person(d.person)}` : ''}
                </h3>
                <dl>
                  <dt>When</dt>
                  <dd>${d.event.at}</dd>
                  <dt>Whose decision</dt>
                  <dd>${report.person(d.person)}</dd>
                  <dt>Given by</dt>
                  <dd>
                    ${d.standIn ? `${report.person(d.standIn)}, standing in while ${report.person(d.person)} was away` : `${report.person(d.person)} in person`}
                  </dd>
                  <dt>Through</dt>
                  <dd>${viaText(d.via)}</dd>
                  <dt>Round</dt>
                  <dd>${d.round}${d.afterStart ? ' (after the change was started early)' : ''}</dd>
                  <dt>Required by</dt>
                  <dd>
                    ${
                      d.requirements.length === 0
                        ? 'no requirement recorded'
                        : html`<ul>
                            ${d.requirements.map((r) => html`<li>${requirementLine(r)}</li>`)}
                          </ul>`
                    }
                  </dd>
                  <dt>Comment</dt>
                  <dd><span class="text">${d.comment ?? '(none)'}</span></dd>
                  <dt>Policy in force</dt>
                  <dd class="hash">${d.event.policyHash}</dd>
                  <dt>Event</dt>
                  <dd>${d.event.id}, hash <span class="hash">${d.event.hash}</span></dd>
                </dl>
              </div>`,
          )
    }
  </section>`;
}

function meetingsSection(report: Report): Markup {
  const discussed = report.evidence.events.filter((e) => e.type === 'discussed');
  if (discussed.length === 0) return html``;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return html`<section aria-labelledby="meetings">
    <h2 id="meetings">Meeting outcomes</h2>
    <table>
      <thead>
        <tr>
          <th>Meeting and sitting</th>
          <th>Outcome</th>
          <th>Recorded by</th>
          <th>Minutes</th>
        </tr>
      </thead>
      <tbody>
        ${discussed.map(
          (e) =>
            html`<tr>
              <td>
                ${text(e.data.meeting) ?? '?'}<br /><span class="small muted"
                  >${text(e.data.occurrence) ?? 'no scheduled sitting'}</span
                >
              </td>
              <td>${text(e.data.outcome) ?? '?'}</td>
              <td>
                ${report.person(e.actor)},
                ${e.at}${e.data.via === 'external-link' ? ' (by signed link)' : ''}<br /><span
                  class="small muted"
                  >event ${e.id}</span
                >
              </td>
              <td>
                <span class="text">${text(e.data.minutes) ?? ''}</span
                >${text(e.data.url) ? html`<br />${link(text(e.data.url)!, 'the minutes')}` : ''}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function reviewSection(report: Report): Markup {
  const { change, events, policies } = report.evidence;
  const review = change.review;
  if (!review) return html``;
  const filed = events.findLast((e) => e.type === 'reviewed');
  const policy = (filed && policies.get(filed.policyHash)?.policy) ?? report.submittedUnder;
  const fields = [
    ...(policy.changeTypes.get(change.type)?.review?.fields ?? []),
    ...policy.failureReview.fields,
    ...(report.ctx.policy.changeTypes.get(change.type)?.review?.fields ?? []),
  ];
  return html`<section aria-labelledby="review">
    <h2 id="review">Post-implementation review</h2>
    <dl>
      <dt>Due</dt>
      <dd>${review.due}</dd>
      <dt>Filed</dt>
      <dd>
        ${review.doneAt ? `${review.doneAt} by ${report.person(review.by)}${review.doneAt > review.due ? ' (late)' : ''}${filed ? `, event ${filed.id}` : ''}` : 'not yet'}
      </dd>
    </dl>
    ${review.answers && answerTable(review.answers, fields)}
  </section>`;
}

function policiesSection(report: Report): Markup {
  const { events, policies, change } = report.evidence;
  return html`<section aria-labelledby="policies">
    <h2 id="policies">Policy versions in force</h2>
    <p class="muted small">
      Every event records the SHA-256 of the policy file the server ran when it was recorded;
      Changeboard keeps every policy it ran by that hash.
    </p>
    ${[...policies.values()].map((cited) => {
      const citing = events.filter((e) => e.policyHash === cited.hash);
      return html`<h3 class="hash">${cited.hash}</h3>
        <dl>
          <dt>Stored</dt>
          <dd>
            ${cited.firstSeenAt ? `since ${cited.firstSeenAt}` : 'NOT STORED'};
            ${cited.intact ? 'its text still hashes to this hash' : 'ITS TEXT DOES NOT MATCH THIS HASH'}
          </dd>
          <dt>In force at</dt>
          <dd>${citing.map((e) => `${e.type} (event ${e.id}, ${e.at})`).join('; ')}</dd>
          <dt>Rules for ${change.type}</dt>
          <dd>
            ${cited.policy ? typeRules(cited.policy, change.type) : 'the policy text cannot be read'}
          </dd>
        </dl>`;
    })}
  </section>`;
}

/** The approval rules of one change type, as that policy version words them. */
function typeRules(policy: Policy, typeId: string): Markup {
  const type = policy.changeTypes.get(typeId);
  if (!type) return html`this version has no ${typeId} type`;
  const rules = type.approvals.map((rule) => {
    const from =
      rule.from === SERVICE_APPROVERS ? "each service's approvers group" : `group ${rule.from}`;
    return html`<li>
      ${rule.count} from ${from}${rule.when ? `, when ${describeCondition(policy, rule.when)}` : ''}
    </li>`;
  });
  return html`${type.label}${type.distinctApprovers ? ', from different people' : ''}:
  ${
    rules.length === 0
      ? 'pre-approved, no approval required'
      : html`<ul>
          ${rules}
        </ul>`
  }${type.earlyStart ? html`<p>May start early once ${type.earlyStart.count} from ${type.earlyStart.from} approved; the other approvals stay required.</p>` : ''}${type.review ? html`<p>Reviewed after implementation, within ${type.review.within.text}.</p>` : ''}`;
}

function describeEvent(report: Report, event: AuditEvent): Markup {
  const d = event.data;
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const comment = str(d.comment);
  const forWhom = str(d.onBehalfOf) ? `, for ${report.person(str(d.onBehalfOf))}` : '';
  const via = str(d.via) ? ` (through ${viaText(str(d.via))})` : '';
  const detail = (text: string | undefined) =>
    text ? html`<br /><span class="text">${text}</span>` : '';
  // Told by name: events about no one change never come here, and a type newer than this page shows as it is.
  const type: string = event.type;
  switch (type) {
    case 'created':
      return d.source === 'github'
        ? html`drafted from pull request ${str(d.repository)}#${String(d.number)}`
        : html`created the draft`;
    case 'edited':
      return html`edited
      ${Object.keys((d.changes as object | undefined) ?? {}).join(', ')}${typeof d.round === 'number' ? `; approvals asked again (round ${d.round})` : ''}`;
    case 'submitted':
      return html`submitted it for
      approval${typeof d.round === 'number' ? ` (round ${d.round})` : ''}`;
    case 'approval-granted':
      return html`approved${forWhom}${via}${detail(comment)}`;
    case 'approval-rejected':
      return html`rejected${forWhom}${via}${d.afterStart === true ? ' after the change was started' : ''}${detail(comment)}`;
    case 'approvals-withdrawn':
      return html`approvals withdrawn${detail(str(d.reason))}`;
    case 'approved':
      return html`the change is approved${detail(str(d.reason))}`;
    case 'rejected':
      return html`the change is rejected`;
    case 'started':
      return html`started implementing
      it${d.from === 'pending' ? ', early: before every approval was in' : ''}${detail(comment)}`;
    case 'withdrawn':
    case 'completed':
    case 'failed':
    case 'verified':
      return html`${type === 'verified' ? 'verified it in production' : `marked it ${type}`}${str(d.reviewDue) ? `; review due ${str(d.reviewDue)}` : ''}${detail(comment)}`;
    case 'reviewed':
      return html`filed the post-implementation review${d.late === true ? ' (late)' : ''}`;
    case 'commented':
      return html`commented${detail(str(d.body))}`;
    case 'discussed':
      return html`recorded ${str(d.meeting)}'s outcome:
      ${str(d.outcome)}${via}${detail(str(d.minutes))}`;
    default:
      return html`${type}`;
  }
}

function timelineSection(report: Report): Markup {
  return html`<section aria-labelledby="timeline">
    <h2 id="timeline">Timeline</h2>
    <table>
      <thead>
        <tr>
          <th>Event</th>
          <th>When</th>
          <th>Who</th>
          <th>What</th>
        </tr>
      </thead>
      <tbody>
        ${report.evidence.events.map(
          (e) =>
            html`<tr>
              <td>${e.id}</td>
              <td class="nowrap">${e.at}</td>
              <td>${report.person(e.actor)}</td>
              <td>${describeEvent(report, e)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function proofSection(report: Report): Markup {
  const { events, editedEvents } = report.evidence;
  return html`<section aria-labelledby="proof">
    <h2 id="proof">Proof: the events and their hashes</h2>
    <p class="muted small">
      Each event's hash is the SHA-256 of the event itself, its prevHash included. prevHash is the
      hash of the event before it in the whole history, which may be another change's: the events of
      all changes form one chain, so none can be edited, removed, inserted or reordered without
      breaking it.
    </p>
    <table>
      <thead>
        <tr>
          <th>Event</th>
          <th>Type</th>
          <th>prevHash</th>
          <th>hash</th>
          <th>Re-hashed</th>
        </tr>
      </thead>
      <tbody>
        ${events.map(
          (e) =>
            html`<tr>
              <td>${e.id}</td>
              <td class="nowrap">${e.type}</td>
              <td class="hash">
                ${e.prevHash}${e.prevHash === GENESIS_HASH ? ' (the start of the chain)' : ''}
              </td>
              <td class="hash">${e.hash}</td>
              <td>
                ${editedEvents.has(e.id) ? html`<strong class="reject">DOES NOT MATCH</strong>` : 'matches'}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function howToCheckSection({ evidence }: Report): Markup {
  const example = evidence.events[0];
  return html`<section aria-labelledby="how-to-check">
    <h2 id="how-to-check">How to check this independently</h2>
    <ol>
      <li>
        <p>
          On the server, against its database (the same <code>DATABASE_URL</code>), run
          <code>changeboard audit verify</code>. It re-hashes every event from the first, checks
          that each prevHash is the hash of the event before it and that the chain ends at the head
          the database records, and that every stored change, decision and policy agrees with the
          events. It prints <code>OK: N events, the chain is intact (head …)</code>, or names the
          first event that does not fit. A head at or after
          <span class="hash"
            >${evidence.chain.ok ? evidence.chain.lastHash : '(none verified)'}</span
          >
          should be reported.
        </p>
      </li>
      <li>
        <p>
          Run <code>changeboard audit export -o events.jsonl</code> and find this change's events in
          it (<code>"changeId":"${formatChangeId(evidence.change.id)}"</code>): their id, hash and
          prevHash must be the ones listed above.
        </p>
      </li>
      <li>
        <p>
          Recompute any hash without Changeboard: take the event's fields
          <code>id, changeId, type, actor, at, data, policyHash, prevHash</code> (all but
          <code>hash</code>; <code>changeId</code> as the number, ${String(evidence.change.id)}, not
          as ${formatChangeId(evidence.change.id)}), serialise them as RFC 8785 canonical JSON (the
          JSON Canonicalization Scheme: keys sorted, no spaces), and take the SHA-256 of its UTF-8
          bytes in hexadecimal. The text each hash is taken of is printed in the appendix, one line
          per event: saved to a file without a final line break, <code>sha256sum</code> of that file
          prints the event's
          hash${example ? html` (for event ${example.id}, <span class="hash">${example.hash}</span>)` : ''}.
        </p>
      </li>
      <li>
        <p>
          Each policy hash is the SHA-256 of the policy file's bytes:
          <code>sha256sum changeboard.yaml</code> on the version kept in git names the policy in
          force.
        </p>
      </li>
    </ol>
  </section>`;
}

function canonicalAppendix({ evidence }: Report): Markup {
  return html`<section class="appendix" aria-labelledby="appendix">
    <h2 id="appendix">Appendix: the text each hash is taken of</h2>
    <p class="muted small">
      One line per event: RFC 8785 canonical JSON. Its SHA-256 is the event's hash.
    </p>
    ${evidence.events.map(
      (e) =>
        html`<h3>Event ${e.id} (${e.type})</h3>
          <pre class="canonical">${canonicalEventText(e)}</pre>`,
    )}
  </section>`;
}
