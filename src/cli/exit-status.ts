/** Thrown by a command to end with a given status after printing its own message. */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}
