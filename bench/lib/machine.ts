// Describes the machine and the build a benchmark ran on, for the report.
import { cpus, loadavg, release } from "node:os";

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  kernel: string;
  bun: string;
  build: string;
  load: string;
}

export function describeMachine(build: string): Machine {
  const list = cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    cores: list.length,
    cpu: list[0]?.model.trim() ?? "unknown",
    kernel: `Linux ${release()}`,
    bun: Bun.version,
    build,
    load: loadavg()
      .map((v) => v.toFixed(2))
      .join(" "),
  };
}
