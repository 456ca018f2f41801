/** Every policy version ever loaded, by its hash. */

export interface PolicyArchive {
  /** Keeps every policy version ever loaded, so each event's policyHash can be looked up. */
  remember(policy: { hash: string; source: string }, at: string): Promise<void>;
  find(hash: string): Promise<{ hash: string; source: string; firstSeenAt: string } | undefined>;
  listAll(): Promise<{ hash: string; source: string; firstSeenAt: string }[]>;
}
