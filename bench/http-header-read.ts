// In-process: times, inside a Bun.serve fetch handler, the first read of a server Request with a small JSON body (`bun bench/http-header-read.ts <none|headers|body|method> [requests]`).
import { realisticApp, ORDER_BODY } from "./app/realistic-app.ts";
const app = realisticApp();
const variant = process.argv[2] ?? "headers";
const N = Number(process.argv[3] ?? 20000);
let sum1 = 0,
  sum2 = 0,
  n = 0,
  total = 0;
const ns = Bun.nanoseconds;
const server = Bun.serve({
  port: 0,
  maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  fetch(req) {
    const t0 = ns();
    let x: unknown;
    if (variant === "headers") x = req.headers.get("content-length");
    else if (variant === "body") x = req.body === null;
    else if (variant === "method") x = req.method;
    else if (variant === "url") x = req.url;
    const t1 = ns();
    if (variant === "headers") x = req.headers.get("content-type");
    const t2 = ns();
    const r = app.fetch(req) as Promise<Response>;
    const t3 = ns();
    n++;
    sum1 += t1 - t0;
    sum2 += t2 - t1;
    total += t3 - t0;
    void x;
    return r;
  },
});
const url = `http://127.0.0.1:${server.port}/orders`;
const init = { method: "POST", body: ORDER_BODY, headers: { "content-type": "application/json", "user-agent": "wrk", accept: "*/*" } };
async function run(count: number) {
  for (let i = 0; i < count; i++) {
    const r = await fetch(url, init);
    await r.arrayBuffer();
  }
}
await run(3000);
sum1 = sum2 = n = total = 0;
await run(N);
console.log(
  `${variant}: first read ${(sum1 / n).toFixed(0)} ns, second headers.get ${(sum2 / n).toFixed(0)} ns, to app.fetch's return ${(total / n).toFixed(0)} ns (n=${n})`,
);
server.stop(true);
