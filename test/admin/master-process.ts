// Starts a master on an existing app.json (a restart on the same data directory), for tests AppUnderTest cannot express.
import type { Subprocess } from "bun";
import { forEachLine } from "../../src/master/line-splitter.ts";
import { cliCommand, type Mode } from "../support/app-under-test.ts";
import { orTimeout } from "../support/wait.ts";

export interface MasterRun extends AsyncDisposable {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output: string[];
  /** Resolves with the exit code, or the admin URL once the start table is printed. */
  started: Promise<{ adminUrl: string } | { exitCode: number }>;
}

export function runMaster(configPath: string, cwd: string, mode: Mode = "source"): MasterRun {
  const proc = Bun.spawn([...cliCommand(mode), "start", "--config", configPath], { stdin: "ignore", stdout: "pipe", stderr: "pipe", cwd });
  const output: string[] = [];
  const { promise, resolve } = Promise.withResolvers<{ adminUrl: string } | { exitCode: number }>();
  const streams = [proc.stdout, proc.stderr].map((stream) =>
    forEachLine(stream, (line) => {
      output.push(line);
      if (line.startsWith("admin  ")) resolve({ adminUrl: line.split(/\s+/)[1]! });
    }),
  );
  // Only once its output is read to the end: the error that made it exit is in there.
  Promise.all([proc.exited, ...streams]).then(([code]) => resolve({ exitCode: code as number }));
  const timer = setTimeout(() => resolve({ exitCode: -1 }), 20_000);
  promise.then(() => clearTimeout(timer));
  return {
    proc,
    output,
    started: promise,
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      const code = await orTimeout(proc.exited, 10_000, null);
      if (code === null) proc.kill("SIGKILL");
    },
  };
}
