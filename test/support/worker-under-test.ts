// One worker process spawned as the master spawns it (launch JSON, IPC, a unix socket as fd 3), driven message by message.
import { closeSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { validateConfigObject } from "../../src/config/validate.ts";
import { WORKER_ARG, WORKER_LAUNCH_ENV, type MasterToWorker, type WorkerLaunch, type WorkerToMaster } from "../../src/ipc.ts";
import { forEachLine } from "../../src/master/line-splitter.ts";
import { bindUnixSocket } from "../../src/master/unix-socket.ts";
import { cliCommand, type Mode } from "./app-under-test.ts";
import { within } from "./wait.ts";

/** A port nothing listens on right now (bound and released). */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

export class WorkerUnderTest {
  readonly messages: WorkerToMaster[] = [];
  readonly output: string[] = [];
  readonly child: Subprocess;
  readonly #dir: string;
  #listenFd?: number;
  #waiters: { match: (m: WorkerToMaster) => boolean; resolve: (m: WorkerToMaster) => void }[] = [];

  private constructor(dir: string, launch: WorkerLaunch, listenFd: number | undefined, mode: Mode) {
    this.#dir = dir;
    this.#listenFd = listenFd;
    this.child = Bun.spawn([...cliCommand(mode), WORKER_ARG], {
      env: { ...process.env, [WORKER_LAUNCH_ENV]: JSON.stringify(launch) },
      stdio: ["ignore", "pipe", "inherit", ...(listenFd === undefined ? [] : [listenFd])],
      ipc: (message: WorkerToMaster) => this.#receive(message),
      serialization: "json",
    });
    void forEachLine(this.child.stdout as ReadableStream<Uint8Array>, (line) => this.output.push(line));
  }

  /** Starts one worker of a group `{ listen, handler: "./h.ts", ...settings }` whose handler is `handler`. */
  static async start(listen: string, handler: string, settings: Record<string, unknown> = {}, mode: Mode = "source"): Promise<WorkerUnderTest> {
    const dir = mkdtempSync(join(tmpdir(), "wm-worker-"));
    writeFileSync(join(dir, "h.ts"), handler);
    const resolvedListen = listen.replace("{dir}", dir);
    const config = validateConfigObject(
      { name: "t", admin: { listen: "127.0.0.1:0" }, workers: [{ name: "w", listen: resolvedListen, count: 1, handler: "./h.ts", ...settings }] },
      join(dir, "app.json"),
    );
    const group = config.workers[0]!;
    const listenFd = group.listen.scheme === "unix" ? await bindUnixSocket(group.listen.path!, 0o600, "listen") : undefined;
    const launch: WorkerLaunch = { appName: "t", group, index: 0, generation: 1, stopTimeoutMs: 1000, drainWindowMs: 50 };
    return new WorkerUnderTest(dir, launch, listenFd, mode);
  }

  get pid(): number {
    return this.child.pid;
  }

  send(message: MasterToWorker): void {
    this.child.send(message);
  }

  /** The next message of `type` from now on (earlier ones do not count). */
  next<T extends WorkerToMaster["type"]>(type: T, ms = 10_000): Promise<Extract<WorkerToMaster, { type: T }>> {
    const { promise, resolve } = Promise.withResolvers<WorkerToMaster>();
    this.#waiters.push({ match: (m) => m.type === type, resolve });
    return within(promise, ms, `a "${type}" message from worker ${this.pid}`) as Promise<Extract<WorkerToMaster, { type: T }>>;
  }

  #receive(message: WorkerToMaster): void {
    this.messages.push(message);
    for (const waiter of this.#waiters.filter((w) => w.match(message))) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.child.kill("SIGKILL");
    await this.child.exited;
    if (this.#listenFd !== undefined) closeSync(this.#listenFd);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
