// The benchmark's realistic HTTP handler: bench/app/realistic-app.ts's Hono router through `fetch`, as raw Bun serves it.
import type { App } from "workerman-app";
import { realisticApp } from "./realistic-app.ts";

const app = realisticApp();

export default {
  fetch: (request) => app.fetch(request),
} satisfies App;
