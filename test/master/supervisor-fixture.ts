// A Supervisor over fake processes and a fake clock, on a real validated config (so defaults are the product's).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfigObject } from "../../src/config/validate.ts";
import type { AppConfig } from "../../src/config/types.ts";
import type { SupervisorEvent } from "../../src/master/events.ts";
import { Supervisor } from "../../src/master/supervisor.ts";
import { buildStatus } from "../../src/master/status.ts";
import { FakeClock, fakeSpawner, settle } from "./fakes.ts";

export function configOf(workers: Record<string, unknown>[], extra: Record<string, unknown> = {}, dir = mkdtempSync(join(tmpdir(), "wm-sup-"))): AppConfig {
  writeFileSync(join(dir, "h.ts"), "export default {};");
  return validateConfigObject({ name: "t", admin: { listen: "127.0.0.1:0" }, ...extra, workers }, join(dir, "app.json"));
}

export function supervisorOf(config: AppConfig, generation?: number) {
  const clock = new FakeClock();
  const fakes = fakeSpawner(clock);
  const invariantBroken = (text: string) => {
    throw new Error(`process table: ${text}`);
  };
  const supervisor = new Supervisor({ config, listenFds: new Map(), log: () => {}, spawner: fakes.spawner, clock, generation, invariantBroken });
  const events: SupervisorEvent[] = [];
  supervisor.on((event) => events.push(event));
  return { supervisor, clock, events, ...fakes };
}

export const WEB = (count = 2, more: Record<string, unknown> = {}) => ({ name: "web", listen: "http://127.0.0.1:8000", count, handler: "./h.ts", ...more });
export const API = (count = 1) => ({ name: "api", listen: "http://127.0.0.1:8001", count, handler: "./h.ts" });

/** A supervisor whose first processes are all ready, and the status rows it would print. */
export async function startedSupervisor(config: AppConfig) {
  const s = supervisorOf(config);
  const start = s.supervisor.start();
  await settle();
  for (const p of s.spawned) p.becomeReady();
  await start;
  const rows = () => buildStatus(s.supervisor.config, s.supervisor, 0, 1).processes;
  return { ...s, rows };
}
