// Hooks the realistic-handler rows and the keep-alive row into bench/run.ts and its report.
import { runKeepAlive, keepAliveSection, type KeepAliveResult } from "./keepalive-10k.ts";
import { runRealistic, realisticSection, type RealisticResult } from "./http-realistic.ts";
import type { BenchOptions } from "./options.ts";

export interface ExtraHttpResults {
  realistic?: RealisticResult[];
  keepAlive?: KeepAliveResult;
  keepAliveRounds?: number;
  seconds: number;
}

/** The realistic rows when the `realistic` scenario is chosen, the keep-alive row with `http`; `--skip` leaves either out. */
export async function runExtraHttp(binary: string, options: BenchOptions, log: (line: string) => void): Promise<Partial<ExtraHttpResults>> {
  const out: Partial<ExtraHttpResults> = {};
  const { seconds, rounds, modes, workerman } = options;
  if (options.kinds.includes("realistic") && !options.skip.has("realistic"))
    out.realistic = await runRealistic({ binary, seconds, rounds, modes, workerman, log });
  if (options.kinds.includes("http") && !options.skip.has("keepalive")) {
    const { keepAliveConnections: connections, keepAliveRounds } = options;
    out.keepAlive = await runKeepAlive({ binary, connections, seconds: Math.max(seconds, 8), rounds: keepAliveRounds, workerman, log });
    out.keepAliveRounds = keepAliveRounds;
  }
  return out;
}

export function extraHttpSections(r: ExtraHttpResults): string[] {
  return [...realisticSection(r.realistic), ...keepAliveSection(r.keepAlive, r.keepAliveRounds ?? 0, Math.max(r.seconds, 8))];
}
