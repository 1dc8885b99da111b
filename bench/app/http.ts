// The benchmark's HTTP handler: a fixed "Hello World", the same work as bench/raw/serve-one.ts.
import type { App } from "workerman-app";

export default {
  fetch: () => new Response("Hello World"),
} satisfies App;
