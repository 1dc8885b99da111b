// Starts the real product (from source, or the compiled executable) on a temporary app.json and cleans it all up.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import type { StatusProcess, StatusResponse } from "../../src/admin/contract.ts";
import { forEachLine } from "../../src/master/line-splitter.ts";
import { orTimeout, waitFor } from "./wait.ts";

export const REPO = resolve(import.meta.dir, "../..");
export const BINARY = join(REPO, "workerman-app");

export type Mode = "source" | "compiled";

/** argv that runs the product's CLI in the given mode. */
export function cliCommand(mode: Mode = "source"): string[] {
  return mode === "compiled" ? [BINARY] : [process.execPath, join(REPO, "src/cli.ts")];
}

export interface AppSpec {
  /** The workers array of app.json; `listen` may use port 0. */
  workers: Record<string, unknown>[];
  /** Files to write next to app.json (handlers, protocols), by relative name. */
  files?: Record<string, string>;
  /** Other top-level keys of app.json. */
  extra?: Record<string, unknown>;
  mode?: Mode;
  /** RLIMIT_NOFILE for the master (and so its workers), set through prlimit, to make descriptor floods cheap. */
  openFilesLimit?: number;
}

export class AppUnderTest {
  readonly output: string[] = [];
  adminUrl = "";
  token = "";
  #exited = false;

  private constructor(
    readonly dir: string,
    readonly configPath: string,
    readonly master: Subprocess<"ignore", "pipe", "pipe">,
    readonly mode: Mode,
  ) {
    master.exited.then(() => (this.#exited = true));
  }

  static async start(spec: AppSpec): Promise<AppUnderTest> {
    const dir = mkdtempSync(join(tmpdir(), "wm-test-"));
    for (const [name, text] of Object.entries(spec.files ?? {})) writeFileSync(join(dir, name), text);
    const configPath = join(dir, "app.json");
    // Probation off unless a test asks for it: with the product's 30 s the old generation would stay parked after each reload.
    const reload = { probationSeconds: 0, ...(spec.extra?.reload as object | undefined) };
    const config = {
      name: "test",
      dataDir: "data",
      stopTimeout: 1,
      drainWindowMs: 50,
      admin: { listen: "127.0.0.1:0" },
      ...spec.extra,
      reload,
      workers: spec.workers,
    };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const mode = spec.mode ?? "source";
    const limit = spec.openFilesLimit ? ["prlimit", `--nofile=${spec.openFilesLimit}:${spec.openFilesLimit}`, "--"] : [];
    const master = Bun.spawn([...limit, ...cliCommand(mode), "start", "--config", configPath], { stdin: "ignore", stdout: "pipe", stderr: "pipe", cwd: dir });
    const app = new AppUnderTest(dir, configPath, master, mode);
    if (!(await app.#collectUntil("Press Ctrl+C to stop.", 20_000))) {
      master.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`app did not start:\n${app.output.join("\n")}`);
    }
    app.adminUrl = app.output.find((line) => line.startsWith("admin  "))!.split(/\s+/)[1]!;
    app.token = (await Bun.file(resolve(dir, String(config.dataDir), "admin.token")).text()).trim();
    return app;
  }

  /** Reads stdout and stderr into `output`; resolves true once a line contains `marker`. */
  #collectUntil(marker: string, timeoutMs: number): Promise<boolean> {
    const { promise, resolve } = Promise.withResolvers<boolean>();
    const timer = setTimeout(() => resolve(false), timeoutMs);
    this.master.exited.then(() => setTimeout(() => resolve(false), 100));
    for (const stream of [this.master.stdout, this.master.stderr]) {
      forEachLine(stream, (line) => {
        this.output.push(line);
        if (line.includes(marker)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    }
    return promise;
  }

  async api<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(this.adminUrl + path, { ...init, headers: { Authorization: `Bearer ${this.token}`, ...init.headers } });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  status(): Promise<StatusResponse> {
    return this.api<StatusResponse>("/api/status");
  }

  /** The port the master resolved for a group (its listen may have said 0). */
  async port(group: string): Promise<number> {
    const listen = (await this.status()).groups.find((g) => g.name === group)!.listen;
    return Number(listen.slice(listen.lastIndexOf(":") + 1));
  }

  async pids(group: string): Promise<number[]> {
    return (await this.status()).processes.flatMap((p) => (p.group === group && p.state === "ready" && p.pid !== null ? [p.pid] : []));
  }

  /** Polls until `check` holds (returns a truthy value) or fails after `timeoutMs`. */
  waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000, what = "condition"): Promise<T> {
    // 50 ms between checks: most checks here are HTTP requests to the admin plane.
    return waitFor(check, { timeoutMs, what, intervalMs: 50, detail: () => `output:\n${this.output.slice(-30).join("\n")}` }) as Promise<T>;
  }

  get exited(): boolean {
    return this.#exited;
  }

  async stop(): Promise<number> {
    if (!this.#exited) this.master.kill("SIGTERM");
    const code = await orTimeout(this.master.exited, 10_000, null);
    if (code === null) this.master.kill("SIGKILL");
    return code ?? -1;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // Only real pids: a slot between processes reports null, and kill(0) would signal this test's own process group.
    const pids = (this.#exited ? [] : ((await this.status().catch(() => null))?.processes.map((p) => p.pid) ?? [])).filter(
      (pid): pid is number => typeof pid === "number" && Number.isInteger(pid) && pid > 0,
    );
    await this.stop();
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone, as it should be
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The pids of the rows a process fills (a slot waiting to restart has pid null). */
export function livePids(processes: readonly StatusProcess[]): number[] {
  return processes.flatMap((p) => (p.pid === null ? [] : [p.pid]));
}

/** True while `pid` runs; a zombie (exited, not yet reaped by its new parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line or environment mentions `text` (workers carry their group config in the environment). */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!pid || pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8");
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if ((env.includes(text) || cmdline.includes(text)) && isAlive(pid)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Live children of `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found.sort((a, b) => a - b);
}
