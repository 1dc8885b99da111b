// A real redis-server for tests on a free port, that a test can kill and start again on the same port.
import type { Subprocess } from "bun";
import { waitFor } from "../support/wait.ts";

export class RedisUnderTest {
  #proc: Subprocess<"ignore", "pipe", "pipe"> | null = null;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Fails loudly when redis-server is missing: a cluster test that skipped itself would prove nothing. */
  static async start(): Promise<RedisUnderTest> {
    if (!Bun.which("redis-server")) {
      throw new Error("redis-server is not installed (the cluster tests need a real Redis): apt-get install -y redis-server");
    }
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    const redis = new RedisUnderTest(port);
    await redis.restart();
    return redis;
  }

  /** Starts the server (again, on the same port), empty: no snapshot, no append-only file. */
  async restart(): Promise<void> {
    const args = [
      "redis-server",
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      "/tmp",
      "--loglevel",
      "warning",
    ];
    const proc = Bun.spawn(args, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    this.#proc = proc;
    const what = "redis-server to answer on its port";
    const outcome = await waitFor(async () => (proc.exitCode !== null ? "exited" : (await this.#ping()) && "up"), {
      timeoutMs: 5000,
      intervalMs: 50,
      what,
    }).catch(() => "timed out");
    if (outcome === "up") return;
    const output = (await new Response(proc.stdout).text().catch(() => "")) + (await new Response(proc.stderr).text().catch(() => ""));
    proc.kill("SIGKILL");
    throw new Error(`redis-server did not start on port ${this.port}:\n${output}`);
  }

  /** SIGSTOP: the server keeps its port and connections (the kernel still accepts) but answers nothing, as a hung Redis would. */
  pause(): void {
    this.#proc?.kill("SIGSTOP");
  }

  resume(): void {
    this.#proc?.kill("SIGCONT");
  }

  /** Kills the server the hard way, as a crash or a lost host would. */
  async kill(): Promise<void> {
    const proc = this.#proc;
    this.#proc = null;
    if (!proc) return;
    proc.kill("SIGKILL");
    await proc.exited;
  }

  async #ping(): Promise<boolean> {
    try {
      const socket = await Bun.connect({ hostname: "127.0.0.1", port: this.port, socket: { data() {} } });
      socket.end();
      return true;
    } catch {
      return false;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }
}
