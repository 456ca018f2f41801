import type { Ajv, Options, ValidateFunction } from 'ajv';
import type { PolicyFile } from './schema.js';

/**
 * The policy schema's two validators. Compiling them, and loading the schema's
 * library, takes most of a `policy check`; the build therefore compiles them
 * ahead into standalone modules (scripts/precompile-policy-validators.mjs), and
 * they are compiled here only where no build has run (tests, `tsx`).
 */
export interface PolicyValidators {
  /** Checks the file as written; verbose, so an unknown key's error carries the keys its object knows. */
  readonly shape: ValidateFunction<PolicyFile>;
  /** Strips unknown keys, so the reference checks can still run on a file whose only problems are misspelt keys. */
  readonly stripped: ValidateFunction<PolicyFile>;
}

export type ValidatorName = keyof PolicyValidators;

const OPTIONS: Record<ValidatorName, Options> = {
  shape: { verbose: true },
  stripped: { removeAdditional: 'all' },
};

/** Where the build writes the standalone module of each validator, next to this module. */
export function precompiledUrl(name: ValidatorName, base: string = import.meta.url): URL {
  return new URL(`./precompiled/policy-${name}.cjs`, base);
}

/** One validator compiled now, with the Ajv that compiled it (for its standalone code). */
export async function compileValidator(
  name: ValidatorName,
  extra: Options = {},
): Promise<{ ajv: Ajv; validate: ValidateFunction<PolicyFile> }> {
  const [{ createAjv }, { PolicyFileSchema }, { fullFormats }] = await Promise.all([
    import('../shared/ajv.js'),
    import('./schema.js'),
    import('ajv-formats/dist/formats.js'),
  ]);
  const ajv = createAjv({ ...OPTIONS[name], ...extra });
  // Standalone code refers to ajv-formats' own formats by name: compile against them
  // here too, so both ways check alike. Their date-time allows a leap second: no key
  // of the policy is a date-time now (a freeze's times may be local, and checkFreezes
  // reads them, leap seconds refused), but one that is needs its check to refuse it.
  ajv.addFormat('date-time', fullFormats['date-time']);
  return { ajv, validate: ajv.compile<PolicyFile>(PolicyFileSchema) };
}

/** The precompiled validators where the build wrote them, else both compiled now. */
export async function loadPolicyValidators(): Promise<
  PolicyValidators & { readonly precompiled: boolean }
> {
  try {
    const [shape, stripped] = await Promise.all(
      (['shape', 'stripped'] as const).map(
        async (name) =>
          ((await import(precompiledUrl(name).href)) as { default: ValidateFunction<PolicyFile> })
            .default,
      ),
    );
    return { shape: shape!, stripped: stripped!, precompiled: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  }
  const [shape, stripped] = await Promise.all([
    compileValidator('shape'),
    compileValidator('stripped'),
  ]);
  return { shape: shape.validate, stripped: stripped.validate, precompiled: false };
}
