// Starts one Workerman script of bench/raw/ (php-cli, a walkor/workerman src/ folder) on the `http` or `realistic` port.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Kind } from "./kinds.ts";
import { freePorts } from "./ports.ts";
import { childrenOf } from "./proc.ts";
import { Group } from "./processes.ts";
import { REPO, type RunningServer } from "./servers.ts";

const SCRIPTS: Partial<Record<Kind, string>> = {
  http: join(REPO, "bench/raw/workerman-hello.php"),
  realistic: join(REPO, "bench/raw/realistic-workerman.php"),
};

export interface PhpSpec {
  src: string;
  kind: "http" | "realistic";
  count: number;
  prefix: string[];
}

/** A running Workerman with what it printed (its select loop warns there past 1024 descriptors). */
export type PhpServer = RunningServer & { lines: string[] };

/** Workerman's http:// hello (kind http) or its realistic router (kind realistic), `count` worker processes. */
export async function startWorkermanHttp(spec: PhpSpec): Promise<PhpServer> {
  if (!existsSync(join(spec.src, "Worker.php")))
    throw new Error(`--workerman ${spec.src}: no Worker.php there (give the src/ folder of github.com/walkor/workerman)`);
  const ports = await freePorts([spec.kind]);
  const env = { WORKERMAN_SRC: spec.src, PORT: String(ports[spec.kind]), COUNT: String(spec.count) };
  const group = new Group([...spec.prefix, "php", SCRIPTS[spec.kind]!, "start"], { env });
  try {
    await group.waitForLine((line) => line.includes("Start success"), 20_000, "workerman start");
    // The master prints the table as it forks: wait until every worker is there.
    const deadline = Date.now() + 5000;
    while (childrenOf(group.pid).length < spec.count && Date.now() < deadline) await Bun.sleep(20);
    const workers = { [spec.kind]: childrenOf(group.pid) };
    return { side: "workerman", ports: ports as RunningServer["ports"], workers, root: group.pid, stop: () => group.stop(), lines: group.lines };
  } catch (err) {
    await group.stop();
    throw err;
  }
}
