import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../../api/client.js';
import {
  createChange,
  editChange,
  refreshChange,
  reloadChange,
  submitChange,
  useSession,
} from '../../api/queries.js';
import type { Change, PolicyInfo } from '../../api/types.js';
import { toFormPolicy, validateChange, type Issue } from '../../lib/policy.js';
import { navigate } from '../../lib/router.js';
import {
  applyTemplate,
  findTemplate,
  needsTemplate,
  templateIssues,
  templateOffers,
} from '../../lib/standard-changes.js';
import { initialState, inputOf, linkIssues, toContent, type FormState } from './form-state.js';

export type SaveMode = 'draft' | 'submit';

/**
 * Everything the change form knows and does: what is typed, what is wrong with
 * it (found here by the field rules the server shares, or answered by the
 * server), and saving, as a new draft or over the one this form already saved.
 */
export function useChangeForm(policy: PolicyInfo, existing?: Change) {
  const client = useQueryClient();
  const formPolicy = useMemo(() => toFormPolicy(policy), [policy]);
  const [state, setState] = useState<FormState>(() => initialState(policy, existing));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [attempt, setAttempt] = useState<SaveMode | null>(null);
  const [serverIssues, setServerIssues] = useState<Issue[]>([]);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // Once saved, the form edits what it saved: a submit that fails after the save does not draft twice.
  const [saved, setSaved] = useState<{ id: string; version: number } | null>(
    existing ? { id: existing.id, version: existing.version } : null,
  );
  const summaryRef = useRef<HTMLDivElement>(null);
  const isPending = existing?.state === 'pending';
  const canSubmit = !existing || existing.state === 'draft';

  const content = toContent(policy, state);
  // The standard change catalog: a pre-approved type starts from a template the person may use.
  const startsFromTemplate = needsTemplate(policy, state.type);
  const template = startsFromTemplate ? findTemplate(policy, state.template) : undefined;
  const offers = templateOffers(policy, useSession().data?.person.groups ?? []);
  const problemsFor = (mode: SaveMode | null) => [
    ...validateChange(formPolicy, content, { forSubmit: mode === 'submit' || isPending }),
    ...templateIssues(policy, content, state.template),
    ...linkIssues(state),
  ];
  const issues = problemsFor(attempt);
  const shown = (path: string) =>
    attempt !== null || touched.has(path) ? issues.filter((i) => inputOf(i.path) === path) : [];
  const errorFor = (path: string): string | undefined =>
    shown(path)[0]?.message ?? serverIssues.find((i) => inputOf(i.path) === path)?.message;

  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
  const update = (patch: Partial<FormState>, path: string) => {
    setState((s) => ({ ...s, ...patch }));
    setServerIssues((list) => list.filter((i) => inputOf(i.path) !== path));
  };
  const setAnswer = (id: string, value: string | boolean | undefined) => {
    setState((s) => ({ ...s, answers: { ...s.answers, [id]: value } }));
    setServerIssues((list) => list.filter((i) => i.path !== `answers.${id}`));
  };
  const addLink = () => setState((s) => ({ ...s, links: [...s.links, { title: '', url: '' }] }));
  /** A type that needs no template drops the one chosen: the server refuses a template on it. */
  const setType = (type: string) => {
    update(needsTemplate(policy, type) ? { type } : { type, template: '' }, 'type');
    setServerIssues((list) => list.filter((i) => i.path !== 'template'));
  };
  /** Picking a template fills in its services and answers. */
  const pickTemplate = (id: string) => {
    const picked = findTemplate(policy, id);
    if (!picked) return;
    setState((s) => applyTemplate({ ...s, template: id }, picked));
    setServerIssues((list) =>
      list.filter(
        (i) =>
          i.path !== 'template' && inputOf(i.path) !== 'services' && !i.path.startsWith('answers.'),
      ),
    );
  };

  const summaryIssues = attempt
    ? [
        ...issues,
        ...serverIssues.filter((s) => !issues.some((i) => inputOf(i.path) === inputOf(s.path))),
      ]
    : [];

  // A refused save moves focus to the summary of what to fix, which is read out.
  useEffect(() => {
    if (failure) summaryRef.current?.focus();
  }, [failure]);

  const write = async (): Promise<Change> => {
    const body = {
      title: content.title,
      description: content.description,
      type: content.type,
      services: [...content.services],
      plannedStart: content.plannedStart,
      plannedEnd: content.plannedEnd,
      links: [...content.links],
    };
    const templateId = startsFromTemplate && state.template ? state.template : null;
    if (!saved)
      return createChange({
        ...body,
        answers: { ...content.answers },
        ...(templateId && { template: templateId }),
      });
    const removed = Object.fromEntries(
      Object.keys(existing?.answers ?? {})
        .filter((k) => !(k in content.answers))
        .map((k) => [k, null]),
    );
    return editChange(saved.id, {
      ...body,
      version: saved.version,
      answers: { ...removed, ...content.answers },
      template: templateId,
    });
  };

  const save = async (mode: SaveMode) => {
    setAttempt(mode);
    setFailure(null);
    if (problemsFor(mode).length > 0) {
      summaryRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      let change = await write();
      setSaved({ id: change.id, version: change.version });
      if (mode === 'submit' && change.state === 'draft')
        change = await submitChange(change.id, change.version);
      refreshChange(client, change);
      navigate(`/changes/${change.id}`);
    } catch (caught) {
      const error =
        caught instanceof ApiError
          ? caught
          : new ApiError(0, 'unknown', 'Saving failed; try again.');
      setServerIssues([...error.details]);
      setFailure(error);
      if (error.code === 'stale_version' && existing) void reloadChange(client, existing.id);
    } finally {
      setBusy(false);
    }
  };

  /** After a stale save: drop what was typed and show their version. */
  const loadTheirVersion = () => {
    if (existing) void reloadChange(client, existing.id).then(() => window.location.reload());
  };

  return {
    state,
    content,
    formPolicy,
    attempt,
    busy,
    failure,
    summaryIssues,
    summaryRef,
    isPending,
    canSubmit,
    startsFromTemplate,
    template,
    offers,
    errorFor,
    touch,
    update,
    setType,
    pickTemplate,
    setAnswer,
    addLink,
    save,
    loadTheirVersion,
  };
}

export type ChangeFormModel = ReturnType<typeof useChangeForm>;
