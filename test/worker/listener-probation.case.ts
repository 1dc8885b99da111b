// The listener contract's probation case: through the real master, a reload parks the old pid and a dying release brings it back.
import { expect } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReloadRecord } from "../../src/admin/contract.ts";
import { isAlive } from "../support/app-under-test.ts";
import type { Peer } from "../support/listener-peers.ts";
import type { ListenerCase, ListenerDriver, SuiteContext } from "./listener.case.ts";

type It = (id: ListenerCase, name: string, body: () => Promise<void>) => void;

/** The echo handler, exiting 3 s after its start: long enough to pass the suite's gate (healthySeconds 0) and be seen serving. */
const dying = (echo: string) => `${echo}\nsetTimeout(() => process.exit(5), 3000);\n`;

/** The pid a new client reaches, or null when nothing answers it (udp: a new sender each time). */
async function newClientPid<P extends Peer>(ctx: SuiteContext<P>, message: string): Promise<number | null> {
  try {
    return await ctx.ask(await ctx.open(), message);
  } catch {
    return null;
  }
}

export function probationCase<P extends Peer>(_driver: ListenerDriver<P>, ctx: SuiteContext<P>, it: It): void {
  it("probation", "probation: a reload parks the old pid (new clients reach only the new one); a new process that exits brings it back", async () => {
    const app = ctx.app();
    const old = await ctx.ask(await ctx.open(), "before");
    const appJson = readFileSync(app.configPath, "utf8");
    const handler = join(app.dir, "echo.ts");
    const echo = readFileSync(handler, "utf8");
    const config = JSON.parse(appJson);
    config.workers[0].probationSeconds = 30;
    try {
      writeFileSync(app.configPath, JSON.stringify(config));
      writeFileSync(handler, dying(echo));
      const { id } = await app.api<ReloadRecord>("/api/reload", { method: "POST", body: "{}" });
      await app.waitFor(async () => (await ctx.row(old))?.state === "parked", 10_000, `pid ${old} parked`);
      expect(isAlive(old)).toBe(true);
      for (let i = 0; i < 3; i++) expect([old, null]).not.toContain(await newClientPid(ctx, `while parked ${i}`));
      await app.waitFor(async () => (await app.api<ReloadRecord>(`/api/reloads/${id}`)).state === "rolled-back", 10_000, "the rollback");
      await app.waitFor(async () => (await ctx.row(old))?.state === "ready", 10_000, `pid ${old} ready again`);
      await app.waitFor(async () => (await newClientPid(ctx, "after")) === old, 10_000, `pid ${old} answering new clients again`);
      const record = await app.api<ReloadRecord>(`/api/reloads/${id}`);
      expect(record.groups[0]!.reason!.text).toMatch(/^exited with code 5 \d\.\d s after it was ready, during probation/);
    } finally {
      writeFileSync(handler, echo);
      writeFileSync(app.configPath, appJson);
    }
  });
}
