// Makes `import { ... } from "workerman-app"` work in user handlers, even inside the compiled executable.
import * as publicApi from "./public-api.ts";

let registered = false;

export function registerPublicModule(): void {
  if (registered) return;
  registered = true;
  Bun.plugin({
    name: "workerman-app",
    setup(build) {
      build.module("workerman-app", () => ({ exports: { ...publicApi }, loader: "object" }));
    },
  });
}
