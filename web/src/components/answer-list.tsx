import type { Change, PolicyField } from '../api/types.js';

/** Answers to a list of questions (a change's, or its review's), each as its type reads best. */
export function AnswerList({
  fields,
  answers,
}: {
  fields: readonly PolicyField[];
  answers: Change['answers'];
}) {
  return (
    <dl className="answers">
      {fields.map((field) => {
        const value = answers[field.id];
        return (
          <div key={field.id} className="answer">
            <dt>{field.label}</dt>
            <dd>
              {value === undefined ? (
                <span className="muted">Not answered</span>
              ) : typeof value === 'boolean' ? (
                value ? (
                  'Yes'
                ) : (
                  'No'
                )
              ) : field.type === 'url' ? (
                <a href={String(value)} target="_blank" rel="noopener noreferrer">
                  {String(value)}
                </a>
              ) : (
                <span className="pre-wrap">{String(value)}</span>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
