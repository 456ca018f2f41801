/** Every policy version ever loaded, by its hash. */

export interface PolicyArchive {
  /** Keeps every policy version ever loaded, so each event's policyHash can be looked up. */
  remember(policy: { hash: string; source: string }, at: string): Promise<void>;
  find(hash: string): Promise<{ hash: string; source: string; firstSeenAt: string } | undefined>;
  listAll(): Promise<{ hash: string; source: string; firstSeenAt: string }[]>;
  /** The policy in force, once one was recorded as applied (before that: whatever each process loaded). */
  active(): Promise<ActivePolicy | undefined>;
  /**
   * Makes `next` the policy in force if `expected` still is (undefined: none
   * recorded yet). False when another apply got there first.
   */
  activate(next: ActivePolicy, expected: string | undefined): Promise<boolean>;
}

export interface ActivePolicy {
  readonly hash: string;
  readonly appliedAt: string;
  readonly appliedBy: string;
  /** The servers' own policy file, as last adopted from it: a restart with the same file changes nothing. */
  readonly fileHash: string | null;
}
