import type { ReactNode } from 'react';
import type { PolicyField } from '../../api/types.js';
import { inputId } from './form-state.js';

export interface InputProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
  'aria-required'?: true;
}

export function Field({
  label,
  path,
  help,
  error,
  required,
  children,
}: {
  label: string;
  path: string;
  help?: string;
  error?: string;
  required?: boolean;
  children: (props: InputProps) => ReactNode;
}) {
  const id = inputId(path);
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {label} {required ? <span className="required">required</span> : null}
      </label>
      {help ? (
        <p className="field-help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {children({
        id,
        ...(error ? { 'aria-invalid': true as const } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(required ? { 'aria-required': true as const } : {}),
      })}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function ChoiceGroup({
  label,
  path,
  help,
  error,
  required,
  children,
}: {
  label: string;
  path: string;
  help?: string;
  error?: string;
  required?: boolean;
  children: ReactNode;
}) {
  const id = inputId(path);
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      className={`field choice-group${error ? ' has-error' : ''}`}
      aria-describedby={describedBy || undefined}
    >
      <legend>
        {label} {required ? <span className="required">required</span> : null}
      </legend>
      {help ? (
        <p className="field-help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      <div className="choices">{children}</div>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** One of the board's questions, as the input its type calls for. */
export function AnswerInput({
  field,
  value,
  required,
  error,
  onChange,
  onBlur,
}: {
  field: PolicyField;
  value: string | boolean | undefined;
  required: boolean;
  error?: string;
  onChange: (value: string | boolean | undefined) => void;
  onBlur: () => void;
}) {
  const path = `answers.${field.id}`;
  const id = inputId(path);
  if (field.type === 'boolean' || field.type === 'choice') {
    const options: [string, string | boolean][] =
      field.type === 'boolean'
        ? [
            ['Yes', true],
            ['No', false],
          ]
        : (field.options ?? []).map((o) => [o, o]);
    return (
      <ChoiceGroup
        label={field.label}
        path={path}
        help={field.help}
        error={error}
        required={required}
      >
        {options.map(([text, v], i) => (
          <label key={text} className={`pill-choice${value === v ? ' is-checked' : ''}`}>
            <input
              type="radio"
              name={id}
              id={i === 0 ? id : undefined}
              checked={value === v}
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
    <Field label={field.label} path={path} help={field.help} error={error} required={required}>
      {(props) =>
        field.type === 'text' ? (
          <textarea
            {...props}
            rows={3}
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
            value={text}
            onChange={(e) => onChange(e.target.value)}
            onBlur={onBlur}
          />
        )
      }
    </Field>
  );
}
