/** A bounded map that forgets what was used longest ago. */
export class RecentlyUsed<T> {
  readonly #size: number;
  readonly #entries = new Map<string, T>();

  constructor(size: number) {
    this.#size = size;
  }

  get(key: string, make: () => T): T {
    let value = this.#entries.get(key);
    if (value === undefined) {
      value = make();
      if (this.#entries.size >= this.#size)
        this.#entries.delete(this.#entries.keys().next().value!);
    } else {
      this.#entries.delete(key);
    }
    this.#entries.set(key, value);
    return value;
  }
}
