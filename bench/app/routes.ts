// The benchmark's native-routes handler: "Hello World" as a static route, the same as bench/raw/serve-one.ts routes.
import type { App } from "workerman-app";

export default {
  routes: { "/": new Response("Hello World") },
  fetch: () => new Response("Not Found", { status: 404 }),
} satisfies App;
