// `ps` names each process: "workerman-app: master <app>", "workerman-app: worker <group>#<index> gen <g>".
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { AppUnderTest, cliCommand, livePids } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";

/** What `ps -o args` shows: /proc/<pid>/cmdline with NULs as spaces, trailing padding dropped. */
function args(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0+$/, "").replaceAll("\0", " ");
}

function ps(pid: number): string {
  return Bun.spawnSync(["ps", "-o", "args=", "-p", String(pid)])
    .stdout.toString()
    .trim();
}

describe("process titles", () => {
  for (const mode of ["source", "compiled"] as const) {
    test(mode, async () => {
      if (mode === "compiled") await ensureBinary();
      await using app = await AppUnderTest.start({
        mode,
        workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
        files: { "web.ts": "export default { fetch: () => new Response('ok') };" },
      });
      expect(args(app.master.pid)).toBe("workerman-app: master test");
      expect(ps(app.master.pid)).toBe("workerman-app: master test");
      const workers = (await app.status()).processes;
      expect(livePids(workers).map(args).sort()).toEqual(["workerman-app: worker web#0 gen 1", "workerman-app: worker web#1 gen 1"]);
      expect(ps(livePids(workers)[0]!)).toMatch(/^workerman-app: worker web#\d gen 1$/);

      // A replacement carries its new generation.
      const target = workers.find((p) => p.index === 1)!;
      const restart = Bun.spawn([...cliCommand(mode), "restart", "--process", String(target.pid), "--config", app.configPath, "--json"], { stdout: "pipe" });
      const { newPid } = JSON.parse(await new Response(restart.stdout).text());
      expect(args(newPid)).toMatch(/^workerman-app: worker web#1 gen \d+$/);
      expect(args(newPid)).not.toBe("workerman-app: worker web#1 gen 1");
    }, 90_000);
  }
});
