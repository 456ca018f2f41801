import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../../api/client.js';
import {
  createChange,
  editChange,
  refreshChange,
  reloadChange,
  submitChange,
} from '../../api/queries.js';
import type { Change, PolicyInfo } from '../../api/types.js';
import { toFormPolicy, validateChange, type Issue } from '../../lib/policy.js';
import { navigate } from '../../lib/router.js';
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
  const problemsFor = (mode: SaveMode | null) => [
    ...validateChange(formPolicy, content, { forSubmit: mode === 'submit' || isPending }),
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
    if (!saved) return createChange({ ...body, answers: { ...content.answers } });
    const removed = Object.fromEntries(
      Object.keys(existing?.answers ?? {})
        .filter((k) => !(k in content.answers))
        .map((k) => [k, null]),
    );
    return editChange(saved.id, {
      ...body,
      version: saved.version,
      answers: { ...removed, ...content.answers },
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
    errorFor,
    touch,
    update,
    setAnswer,
    addLink,
    save,
    loadTheirVersion,
  };
}

export type ChangeFormModel = ReturnType<typeof useChangeForm>;
