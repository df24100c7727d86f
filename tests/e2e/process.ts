/**
 * A child process for the end-to-end tests: its output is drained continuously (so it never
 * blocks on a full pipe) and kept for waiting on a log line and for failure messages; it is
 * stopped by its own PID, gracefully first.
 *
 * @module
 */

/** A started child process with its collected output. */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  #child: Deno.ChildProcess;
  #output = "";
  #stdout = "";
  #listeners = new Set<() => void>();
  #drained: Promise<void>;
  #status: Promise<Deno.CommandStatus>;
  #exited = false;

  private constructor(name: string, child: Deno.ChildProcess) {
    this.name = name;
    this.#child = child;
    this.pid = child.pid;
    this.#drained = Promise.all([this.#drain(child.stdout, true), this.#drain(child.stderr, false)])
      .then(
        () => {},
      );
    this.#status = child.status.then((s) => {
      this.#exited = true;
      this.#notify();
      return s;
    });
  }

  /** Start `cmd args` with its output piped and collected. */
  static start(
    name: string,
    cmd: string,
    args: string[],
    options: { env?: Record<string, string>; cwd?: string } = {},
  ): ManagedProcess {
    const child = new Deno.Command(cmd, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new ManagedProcess(name, child);
  }

  /** Everything the process wrote so far (stdout and stderr, interleaved by arrival). */
  get output(): string {
    return this.#output;
  }

  /** Everything the process wrote to stdout so far. */
  get stdout(): string {
    return this.#stdout;
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  async #drain(stream: ReadableStream<Uint8Array>, isStdout: boolean): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      this.#output += text;
      if (isStdout && this.#stdout.length < 16_000_000) this.#stdout += text;
      // Keep memory bounded: the beginning and the recent end matter for diagnostics.
      if (this.#output.length > 4_000_000) {
        this.#output = this.#output.slice(0, 100_000) + "\n[…]\n" + this.#output.slice(-1_000_000);
      }
      this.#notify();
    }
  }

  #notify(): void {
    for (const l of this.#listeners) l();
  }

  /** Wait until the output matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.#output.match(pattern);
        if (m) return done(() => resolve(m));
        if (this.#exited) {
          return done(() =>
            reject(new Error(`${this.name} exited before printing ${pattern}:\n${this.tail()}`))
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `${this.name} did not print ${pattern} in ${timeoutMs} ms:\n${this.tail()}`,
              ),
            )
          ),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        settle();
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 30): string {
    return this.#output.split("\n").slice(-lines).map((l) => `  ${this.name}| ${l}`).join("\n");
  }

  /** Wait for the process to exit on its own; resolves once its output is drained. */
  async wait(): Promise<Deno.CommandStatus> {
    const status = await this.#status;
    await this.#drained;
    return status;
  }

  /**
   * Stop the process: `signal` (SIGTERM), then SIGKILL after `graceMs`; resolves with its exit
   * status once its output is drained. Safe to call more than once.
   */
  async stop(graceMs = 5_000, signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    if (!this.#exited) {
      try {
        this.#child.kill(signal);
      } catch { /* already gone */ }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        try {
          this.#child.kill("SIGKILL");
        } catch { /* already gone */ }
        resolve();
      }, graceMs);
    });
    try {
      await Promise.race([this.#status, killed]);
      return await this.#status;
    } finally {
      clearTimeout(timer);
      await this.#drained;
    }
  }
}
