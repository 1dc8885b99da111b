// Starts Workerman itself (php-cli and a checkout of walkor/workerman's src/) serving the same hello world and text:// echo, for comparison.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { childrenOf } from "./proc.ts";
import { freePorts } from "./ports.ts";
import { Group } from "./processes.ts";
import { REPO, type RunningServer, type ServerSpec } from "./servers.ts";

const HELLO = join(REPO, "bench/raw/workerman-hello.php");

/** Workerman's http:// hello on the `http` port and its text:// echo on the `text` port (no native-routes counterpart). */
export async function startWorkerman(spec: ServerSpec, src: string): Promise<RunningServer> {
  if (!existsSync(join(src, "Worker.php"))) throw new Error(`--workerman ${src}: no Worker.php there (give the src/ folder of github.com/walkor/workerman)`);
  const ports = await freePorts(["http", "text"]);
  const env = { WORKERMAN_SRC: src, PORT: String(ports.http), TEXT_PORT: String(ports.text), COUNT: String(spec.count) };
  const group = new Group([...spec.prefix, "php", HELLO, "start"], { env });
  try {
    await group.waitForLine((line) => line.includes("Start success"), 20_000, "workerman start");
    // The master forks its workers before it prints the table.
    const workers = childrenOf(group.pid);
    // Which child serves which port is not told apart: the idle one adds next to nothing to the CPU per message.
    const served = { http: workers, text: workers };
    return { side: "workerman", ports: ports as RunningServer["ports"], workers: served, root: group.pid, stop: () => group.stop() };
  } catch (err) {
    await group.stop();
    throw err;
  }
}
