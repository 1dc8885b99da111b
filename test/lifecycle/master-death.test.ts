// After kill -9 of the master no worker survives it, even one whose event loop is stuck (the kernel's parent-death signal), from source and compiled.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppUnderTest, isAlive, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { waitFor } from "../support/wait.ts";

/** Ready first, then the loop is stuck for good: nothing in this process runs a timer, a message or a signal handler again. */
const HANGS = `export default {
  fetch: () => new Response("pid " + process.pid),
  onWorkerStart() { setTimeout(() => { require("node:fs").writeFileSync(process.pid + ".hung", ""); while (true) {} }, 300); },
};\n`;

/** The process's state letter from /proc (R running, S sleeping, Z zombie), or null once it is gone. */
function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] ?? null;
  } catch {
    return null;
  }
}

for (const mode of ["source", "compiled"] as Mode[]) {
  describe(`the master dies (${mode})`, () => {
    test("kill -9 of the master: its workers, stuck in a busy loop, are gone within 2 s", async () => {
      if (mode === "compiled") await ensureBinary();
      await using app = await AppUnderTest.start({
        mode,
        workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
        files: { "web.ts": HANGS },
      });
      const pids = await app.waitFor(async () => {
        const ready = await app.pids("web");
        return ready.length === 2 && ready;
      });
      // Both loops stuck: each wrote its marker right before spinning (state R, 100% of a core).
      await waitFor(() => pids.every((pid) => existsSync(join(app.dir, `${pid}.hung`))), { timeoutMs: 5000, what: "both workers hung" });
      expect(pids.map(stateOf)).toEqual(["R", "R"]);

      app.master.kill("SIGKILL");
      const started = performance.now();
      const left = await waitFor(() => pids.filter(isAlive), { until: (alive) => alive.length === 0, timeoutMs: 2000, what: "no worker left" }).catch(() =>
        pids.filter(isAlive),
      );
      for (const pid of left) process.kill(pid, "SIGKILL"); // the old code left them spinning, reparented
      expect(left).toEqual([]);
      expect(performance.now() - started).toBeLessThan(2000);
    }, 60_000);
  });
}
