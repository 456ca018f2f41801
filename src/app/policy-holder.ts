import type { Policy } from '../domain/policy.js';
import type { PolicyProblem } from '../policy/load.js';

/** A policy as loaded: the domain's view of it, its text, and what `policy check` warned about. */
export interface LoadedPolicy {
  readonly policy: Policy;
  readonly source: string;
  readonly warnings: readonly PolicyProblem[];
}

/**
 * The policy in force in this process, swapped as a whole when a new one is
 * applied. `policy` is a stand-in that reads every property from the policy in
 * force at the moment it is read, so everything that was handed "the policy"
 * at start-up (use cases, deliverers, schedulers) sees the new one at once.
 * A policy is immutable: a swap never shows half of one and half of another in
 * one property read. Something computed once from a policy must be computed
 * again per use, or keyed by `policy.hash`.
 */
export class PolicyHolder {
  #current: LoadedPolicy;
  readonly #listeners = new Set<(next: LoadedPolicy, previous: LoadedPolicy) => void>();
  readonly policy: Policy;

  constructor(initial: LoadedPolicy) {
    this.#current = initial;
    const current = () => this.#current.policy;
    this.policy = new Proxy({} as Policy, {
      get: (_target, key) => Reflect.get(current(), key) as unknown,
      has: (_target, key) => Reflect.has(current(), key),
      ownKeys: () => Reflect.ownKeys(current()),
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(current(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    });
  }

  get current(): LoadedPolicy {
    return this.#current;
  }

  /** Puts `next` in force; a no-op when it is the policy in force already. */
  swap(next: LoadedPolicy): void {
    const previous = this.#current;
    if (previous.policy.hash === next.policy.hash) return;
    this.#current = next;
    for (const listener of this.#listeners) listener(next, previous);
  }

  /** Called after each swap; returns the function that stops it. */
  onSwap(listener: (next: LoadedPolicy, previous: LoadedPolicy) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
