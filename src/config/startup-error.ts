/** Start-up stopped: invalid settings or policy. Carries every problem, one per line. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'StartupError';
  }
}
