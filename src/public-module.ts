// Makes `import { ... } from "workerman-app"` work in user handlers, even inside the compiled executable.
import * as publicApi from "./public-api.ts";
import type { Worker } from "./worker/types.ts";

let registered = false;

/** `worker` is this process's runtime: registered before the handler module is imported, so it is there at module scope. */
export function registerPublicModule(worker: Worker): void {
  if (registered) return;
  registered = true;
  Bun.plugin({
    name: "workerman-app",
    setup(build) {
      build.module("workerman-app", () => ({ exports: { ...publicApi, worker }, loader: "object" }));
    },
  });
}
