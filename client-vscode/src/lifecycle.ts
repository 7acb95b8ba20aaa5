// One path for every start, restart and stop of the server (as ruff-vscode's requestRestart): they run one after
// another, never overlapping, and restarts asked for while one waits to begin are one restart. The first start
// and deactivate go through it too, so a settings change during start-up cannot start a second client.

export class ServerLifecycle {
  private chain: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined; // a restart asked for that has not begun yet
  private stopped = false;

  constructor(
    private readonly stopServer: () => Promise<void>,
    private readonly startServer: () => Promise<void>,
  ) {}

  /** Start the server, or restart it (stop, then start), after whatever runs now. A request made while another
   * still waits to begin joins it: a burst of settings changes restarts once. After stop(), nothing starts. */
  requestRestart(): Promise<void> {
    if (this.waiting) {
      return this.waiting;
    }
    const run = async () => {
      this.waiting = undefined;
      if (this.stopped) {
        return;
      }
      await this.stopServer();
      await this.startServer();
    };
    const next = this.chain.then(run, run);
    this.waiting = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Stop the server for good (deactivate), after whatever runs now; restarts asked for later do nothing. */
  stop(): Promise<void> {
    this.stopped = true;
    const next = this.chain.then(this.stopServer, this.stopServer);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
