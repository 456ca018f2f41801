import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  // RFC 3339 allows a leap second (23:59:60), which no JavaScript date can hold:
  // a date-time is valid only when it also names an instant.
  const rfc3339 = ajv.formats['date-time'] as { validate: (text: string) => boolean };
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (text: string) => rfc3339.validate(text) && !Number.isNaN(Date.parse(text)),
    compare: (a: string, b: string) => Date.parse(a) - Date.parse(b),
  });
  return ajv;
}
