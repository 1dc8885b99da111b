// A real admin app over a real (unstarted) supervisor and a real store in a temp folder, driven with app.request().
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { createAdminApp } from "../../src/admin/app.ts";
import type { AdminContext, AdminEnv } from "../../src/admin/context.ts";
import type { StatusResponse } from "../../src/admin/contract.ts";
import { feedFromMaster, LiveFeed } from "../../src/admin/live-feed.ts";
import { NO_TRAFFIC } from "../../src/master/traffic-figures.ts";
import { validateConfigObject } from "../../src/config/validate.ts";
import { EventGate } from "../../src/master/event-gate.ts";
import { Supervisor } from "../../src/master/supervisor.ts";
import { openStore, type MasterStore } from "../../src/store/master-store.ts";

export const TOKEN = "a".repeat(64);
export const BASE = "http://127.0.0.1:9090";
export const ORIGIN = BASE;

export interface Fixture extends Disposable {
  app: Hono<AdminEnv>;
  ctx: AdminContext;
  feed: LiveFeed;
  store: MasterStore;
  stops: boolean[];
  /** app.request from a given client address (the socket's view, as Bun.serve passes it). */
  request: (path: string, init?: RequestInit, address?: string) => Promise<Response>;
}

export function adminFixture(admin: Record<string, unknown> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "wm-admin-"));
  writeFileSync(join(dir, "t.ts"), "export default {};");
  const raw = {
    name: "t",
    dataDir: "data",
    admin: { listen: "127.0.0.1:9090", ...admin },
    workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./t.ts" }],
  };
  const config = validateConfigObject(raw, join(dir, "app.json"));
  const supervisor = new Supervisor({ config, listenFds: new Map(), log: () => {} });
  const store = openStore(config.dataDir, config.store);
  const stops: boolean[] = [];
  const status = (): StatusResponse => ({
    master: { pid: process.pid, version: "test", startedAt: 0, configPath: config.configPath, name: "t", tcpMigrateReq: 1 },
    groups: [{ name: "web", listen: "http://127.0.0.1:0", count: 1, reloadable: true, healthySeconds: 2, requests: 0, ...NO_TRAFFIC }],
    processes: [],
  });
  const events = new EventGate(supervisor);
  const reload = async (options: { group?: string; graceful?: boolean }) => supervisor.reload(options);
  const ctx: AdminContext = { config, supervisor, events, token: TOKEN, status, requestStop: (graceful) => stops.push(graceful), store, reload };
  const feed = new LiveFeed();
  const app = createAdminApp(ctx, { feed });
  // As server.ts does in the master: supervisor events and the stats tick reach the SSE feed.
  const unfeed = feedFromMaster(feed, { subscribe: (listener) => events.on(listener), status });
  return {
    app,
    ctx,
    feed,
    store,
    stops,
    request: (path, init = {}, address = "127.0.0.1") => Promise.resolve(app.request(BASE + path, init, { requestIP: () => ({ address }) })),
    [Symbol.dispose]() {
      unfeed();
      events.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token = TOKEN) => ({ Authorization: `Bearer ${token}` });
export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** Logs in like the dashboard does and returns the session id it would keep in sessionStorage. */
export async function login(f: Fixture): Promise<string> {
  const response = await f.request("/api/login", json({ token: TOKEN }, { Origin: ORIGIN }));
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { session: string }).session;
}

/** The header the dashboard sends with every request. */
export const sessionHeader = (id: string) => ({ "X-Session": id });
