import type { ReactNode } from 'react';
import type { PolicyField } from '../../api/types.js';
import { inputId } from './form-state.js';

export interface InputProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
  'aria-required'?: true;
}

/** What a labelled input and a group of choices have in common. */
interface FieldFrame {
  label: string;
  path: string;
  help?: string;
  error?: string;
  required?: boolean;
}

/** The ids of a field's help and error, which its input names as what describes it. */
function describedBy(id: string, { help, error }: Pick<FieldFrame, 'help' | 'error'>) {
  return [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

function Help({ id, help }: { id: string; help?: string }) {
  return help ? (
    <p className="field-help" id={`${id}-help`}>
      {help}
    </p>
  ) : null;
}

function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p className="field-error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;
}

function Label({ label, required }: Pick<FieldFrame, 'label' | 'required'>) {
  return (
    <>
      {label} {required ? <span className="required">required</span> : null}
    </>
  );
}

export function Field({
  children,
  ...frame
}: FieldFrame & { children: (props: InputProps) => ReactNode }) {
  const id = inputId(frame.path);
  const description = describedBy(id, frame);
  return (
    <div className={`field${frame.error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        <Label {...frame} />
      </label>
      <Help id={id} help={frame.help} />
      {children({
        id,
        ...(frame.error ? { 'aria-invalid': true as const } : {}),
        ...(description ? { 'aria-describedby': description } : {}),
        ...(frame.required ? { 'aria-required': true as const } : {}),
      })}
      <FieldError id={id} error={frame.error} />
    </div>
  );
}

export function ChoiceGroup({ children, ...frame }: FieldFrame & { children: ReactNode }) {
  const id = inputId(frame.path);
  return (
    <fieldset
      className={`field choice-group${frame.error ? ' has-error' : ''}`}
      aria-describedby={describedBy(id, frame) || undefined}
    >
      <legend>
        <Label {...frame} />
      </legend>
      <Help id={id} help={frame.help} />
      <div className="choices">{children}</div>
      <FieldError id={id} error={frame.error} />
    </fieldset>
  );
}

/** One of the board's questions, as the input its type calls for. */
export function AnswerInput({
  field,
  value,
  required,
  error,
  lockedBy,
  onChange,
  onBlur,
}: {
  field: PolicyField;
  value: string | boolean | undefined;
  required: boolean;
  error?: string;
  /** The standard change template that sets this answer: shown read-only, saying so. */
  lockedBy?: string;
  onChange: (value: string | boolean | undefined) => void;
  onBlur: () => void;
}) {
  const path = `answers.${field.id}`;
  const id = inputId(path);
  const locked = lockedBy !== undefined;
  const help = locked
    ? [field.help, `Set by the template “${lockedBy}”.`].filter(Boolean).join(' ')
    : field.help;
  if (field.type === 'boolean' || field.type === 'choice') {
    const options: [string, string | boolean][] =
      field.type === 'boolean'
        ? [
            ['Yes', true],
            ['No', false],
          ]
        : (field.options ?? []).map((o) => [o, o]);
    return (
      <ChoiceGroup label={field.label} path={path} help={help} error={error} required={required}>
        {options.map(([text, v], i) => (
          <label key={text} className={`pill-choice${value === v ? ' is-checked' : ''}`}>
            <input
              type="radio"
              name={id}
              id={i === 0 ? id : undefined}
              checked={value === v}
              disabled={locked}
              onChange={() => onChange(v)}
              onBlur={onBlur}
            />
            {text}
          </label>
        ))}
      </ChoiceGroup>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <Field label={field.label} path={path} help={help} error={error} required={required}>
      {(props) =>
        field.type === 'text' ? (
          <textarea
            {...props}
            rows={3}
            readOnly={locked}
            value={text}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onBlur}
          />
        ) : (
          <input
            {...props}
            type={
              field.type === 'url'
                ? 'url'
                : field.type === 'number'
                  ? 'text'
                  : field.type === 'date'
                    ? 'date'
                    : 'text'
            }
            inputMode={field.type === 'number' ? 'decimal' : undefined}
            placeholder={field.type === 'url' ? 'https://' : undefined}
            readOnly={locked}
            value={text}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onBlur}
          />
        )
      }
    </Field>
  );
}
