// Starts Workerman itself (php-cli and a checkout of walkor/workerman's src/) serving the same hello world and text, frame and json echoes, for comparison.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Kind } from "./kinds.ts";
import { holdsOneOf, listeningInodes } from "./port-owners.ts";
import { childrenOf } from "./proc.ts";
import { freePorts } from "./ports.ts";
import { Group } from "./processes.ts";
import { REPO, type RunningServer, type ServerSpec } from "./servers.ts";

const HELLO = join(REPO, "bench/raw/workerman-hello.php");
/** The kinds Workerman serves, each on its own port (no native-routes, WebSocket or UDP counterpart here). */
export const WORKERMAN_KINDS = ["http", "text", "frame", "json"] as const satisfies readonly Kind[];
type WorkermanKind = (typeof WORKERMAN_KINDS)[number];
const START_TIMEOUT_MS = 20_000;

/** Workerman's http:// hello and its text://, frame:// and json-over-Text echoes, each group pinned like ours. */
export async function startWorkerman(spec: ServerSpec, src: string): Promise<RunningServer> {
  if (!existsSync(join(src, "Worker.php"))) throw new Error(`--workerman ${src}: no Worker.php there (give the src/ folder of github.com/walkor/workerman)`);
  const ports = await freePorts([...WORKERMAN_KINDS]);
  const env = {
    WORKERMAN_SRC: src,
    PORT: String(ports.http),
    TEXT_PORT: String(ports.text),
    FRAME_PORT: String(ports.frame),
    JSON_PORT: String(ports.json),
    COUNT: String(spec.count),
  };
  const group = new Group([...spec.prefix, "php", HELLO, "start"], { env });
  try {
    await group.waitForLine((line) => line.includes("Start success"), START_TIMEOUT_MS, "workerman start");
    const workers = await servingProcesses(group, ports, spec.count);
    return { side: "workerman", ports: ports as RunningServer["ports"], workers, root: group.pid, stop: () => group.stop() };
  } catch (err) {
    await group.stop();
    throw err;
  }
}

/**
 * Workerman prints "Start success" before it forks (Worker::runAll: displayUI, then forkWorkers), and with reusePort
 * each child opens its own listening socket after the fork: reading the children at that line found none or some
 * (the rows with 0 CPU for Workerman). So wait until every group has `count` children, told apart by the port in
 * their process title ("WorkerMan: worker process  text text://127.0.0.1:PORT"), each listening on that port.
 */
async function servingProcesses(group: Group, ports: Record<WorkermanKind, number>, count: number): Promise<Partial<Record<Kind, number[]>>> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const served: Partial<Record<Kind, number[]>> = {};
    for (const pid of childrenOf(group.pid)) {
      const kind = WORKERMAN_KINDS.find((k) => titleOf(pid).endsWith(`:${ports[k]}`));
      if (kind && holdsOneOf(pid, listeningInodes(ports[kind]))) (served[kind] ??= []).push(pid);
    }
    if (WORKERMAN_KINDS.every((kind) => served[kind]?.length === count)) return served;
    if (group.exitCode !== null) throw new Error(`workerman exited with ${group.exitCode}:\n${group.lines.join("\n")}`);
    if (Date.now() > deadline) throw new Error(`workerman: its workers were not all listening after ${START_TIMEOUT_MS} ms (found ${JSON.stringify(served)})`);
    await Bun.sleep(20);
  }
}

function titleOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}
