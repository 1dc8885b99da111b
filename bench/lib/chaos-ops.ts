// The chaos run's operations on a real app: good and broken reloads, count changes, kill -9 of a worker, restart --process, restart.
import { deployed } from "./chaos-probation.ts";
import { HANDLER, type ChaosState } from "./chaos-state.ts";
import type { DaemonApp } from "./daemon-app.ts";
import { liveChildren } from "./port-owners.ts";

/** Releases the gate must roll back; the good code goes back on disk after each, as an operator would. */
const BROKEN: Record<string, (version: number) => string> = {
  "syntax error": (v) => `export default { fetch: () => new Response("v${v}" };`,
  "throw at start": (v) => `throw new Error("no database");\n${HANDLER(v)}`,
  "exit 1 s after ready": (v) => `setTimeout(() => process.exit(3), 1000);\n${HANDLER(v)}`,
};

export interface OpOutcome {
  /** What was done, for the log. */
  text: string;
  /** An exit code other than the one this operation must give, with the output. */
  error?: string;
}

/** Load windows longer than --segment, for operations that take longer (seconds). */
export const OPERATION_WINDOWS: Record<string, number> = { "probation rollback": 10 };

/** Deliberately broken: a kill -9, or a release that exits during probation, drops what that worker had in flight; their windows' failed requests are counted apart. */
export const BROKEN_WINDOW_OPS = new Set(["kill -9 a worker", "probation rollback"]);

async function expectExit(state: ChaosState, argv: string[], code: number, text: string): Promise<OpOutcome> {
  const result = await state.app.cli(argv);
  if (result.code === code) return { text };
  return { text, error: `${argv.join(" ")} exited ${result.code}, expected ${code}: ${result.text.replace(/\s+/g, " ").slice(0, 300)}` };
}

export const OPERATIONS: Record<string, (state: ChaosState) => Promise<OpOutcome>> = {
  "good reload": async (state) => {
    const previous = { version: state.version, count: state.count };
    state.version++;
    state.app.write("web.ts", HANDLER(state.version));
    const outcome = await expectExit(state, ["reload"], 0, `reload to v${state.version}`);
    await deployed(state, previous);
    return outcome;
  },
  "broken reload": async (state) => {
    const kind = state.random.pick(Object.keys(BROKEN));
    state.app.write("web.ts", BROKEN[kind]!(state.version + 1));
    const outcome = await expectExit(state, ["reload"], 1, `reload of a release with a ${kind} (rolled back)`);
    state.app.write("web.ts", HANDLER(state.version));
    return outcome;
  },
  "probation rollback": async (state) => {
    // Passes the 2 s settle window, then exits during probation: the parked generation must take the group back.
    state.app.write("web.ts", `setTimeout(() => process.exit(5), 4000);\n${HANDLER(state.version + 1)}`);
    const outcome = await expectExit(state, ["reload"], 0, "reload of a release exiting 4 s after ready (probation rolls back)");
    const rolledBack = await probationOutcome(state.app, 10_000);
    state.app.write("web.ts", HANDLER(state.version));
    if (outcome.error || rolledBack === "rolled-back") return outcome;
    return { ...outcome, error: `probation ended ${rolledBack ?? "not at all within 10 s"}, expected rolled-back` };
  },
  "count change": async (state) => {
    const counts = [1, 2, 3, 4].filter((n) => n !== state.count);
    const previous = { version: state.version, count: state.count };
    state.count = state.random.pick(counts);
    state.app.editConfig((config) => (config.workers[0].count = state.count));
    const outcome = await expectExit(state, ["reload"], 0, `count -> ${state.count} by app.json + reload`);
    await deployed(state, previous);
    return outcome;
  },
  "kill -9 a worker": async (state) => {
    const pids = liveChildren(state.app.masterPid());
    const pid = pids.length ? state.random.pick(pids) : undefined;
    if (pid === undefined) return { text: "kill -9: no worker", error: "the master has no children" };
    process.kill(pid, "SIGKILL");
    return { text: `kill -9 ${pid}` };
  },
  "restart --process": async (state) => {
    const rows = (await state.app.status()).processes.filter((p) => p.pid !== null && p.state === "ready");
    const pid = rows.length ? state.random.pick(rows).pid! : undefined;
    if (pid === undefined) return { text: "restart --process: nothing ready", error: "no ready process to restart" };
    return expectExit(state, ["restart", "--process", String(pid)], 0, `restart --process ${pid}`);
  },
  restart: async (state) => {
    // A new master has no probation to roll back (the old one ended it when it stopped).
    state.deployed = undefined;
    return expectExit(state, ["restart", "-d"], 0, "restart -d (a new master takes over)");
  },
};

/** The last reload's probation outcome once it has one (undefined when `withinMs` passed first). */
async function probationOutcome(app: DaemonApp, withinMs: number): Promise<string | undefined> {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    const outcome = (await app.status()).lastReload?.groups.find((g) => g.name === "web")?.probation?.outcome;
    if (outcome) return outcome;
    await Bun.sleep(100);
  }
  return undefined;
}

export const OPERATION_WEIGHTS: [number, string][] = [
  [3, "good reload"],
  [2, "broken reload"],
  [1, "probation rollback"],
  [2, "count change"],
  [2, "kill -9 a worker"],
  [2, "restart --process"],
  [1, "restart"],
];
