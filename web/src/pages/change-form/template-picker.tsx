import type { PolicyInfo } from '../../api/types.js';
import { ChoiceGroup } from './fields.js';
import { inputId } from './form-state.js';
import type { ChangeFormModel } from './use-change-form.js';

/**
 * The standard change catalog, for a type that needs no approval: the change
 * starts from one of its templates, which fills in its services and answers.
 * Templates the person may not raise are shown disabled, saying who may.
 */
export function TemplatePicker({
  policy,
  form,
}: {
  readonly policy: PolicyInfo;
  readonly form: ChangeFormModel;
}) {
  const { state, offers, errorFor, pickTemplate } = form;
  if (!form.startsFromTemplate) return null;
  const serviceName = (id: string) => policy.services.find((s) => s.id === id)?.name ?? id;
  const firstAllowed = offers.find((o) => o.allowed);
  return (
    <ChoiceGroup
      label="Standard change"
      path="template"
      help="A change of this type is pre-approved only as one of the policy’s standard changes. Choose one: it fills in the services and answers."
      error={errorFor('template')}
      required
    >
      {offers.length === 0 ? (
        <p className="muted small">
          The policy lists no standard changes yet, so none can be filed: choose another type.
        </p>
      ) : null}
      {offers.map(({ template, allowed, why }) => {
        const checked = state.template === template.id;
        return (
          <label
            key={template.id}
            className={`choice-card${checked ? ' is-checked' : ''}${allowed ? '' : ' is-disabled'}`}
          >
            <input
              type="radio"
              name="template"
              value={template.id}
              checked={checked}
              disabled={!allowed}
              id={
                checked || (!state.template && template.id === firstAllowed?.template.id)
                  ? inputId('template')
                  : undefined
              }
              onChange={() => pickTemplate(template.id)}
            />
            <span className="choice-card-title">{template.title}</span>
            <span className="choice-card-help">
              {template.services.map(serviceName).join(', ')}. Accepted by {template.approvedByName}{' '}
              on {template.approvedOn}.{why ? ` ${why}.` : ''}
            </span>
          </label>
        );
      })}
    </ChoiceGroup>
  );
}
