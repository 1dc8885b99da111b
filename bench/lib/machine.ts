// Describes the machine and the build a benchmark ran on, for the report.
import { statSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { BINARY, REPO } from "./servers.ts";

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  kernel: string;
  bun: string;
  build: string;
  load: string;
}

function git(args: string[]): string {
  const out = Bun.spawnSync(["git", ...args], { cwd: REPO, stdout: "pipe", stderr: "ignore" });
  return out.success ? out.stdout.toString().trim() : "unknown";
}

export function describeMachine(): Machine {
  const list = cpus();
  const built = new Date(statSync(BINARY).mtimeMs).toISOString().slice(0, 16).replace("T", " ");
  return {
    date: new Date().toISOString().slice(0, 10),
    cores: list.length,
    cpu: list[0]?.model.trim() ?? "unknown",
    kernel: `Linux ${release()}`,
    bun: Bun.version,
    build: `commit ${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain", "--", "src"]) ? " with uncommitted src/ changes" : ""}, built ${built} UTC`,
    load: loadavg().map((v) => v.toFixed(2)).join(" "),
  };
}
