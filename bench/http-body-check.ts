// What the body-limit check costs one request at a time: the realistic Hono POST served by raw Bun with one piece of
// http-answer.ts's path added at a time (`bun bench/http-body-check.ts [seconds] [--rounds N] [--only 0,1] [--sync]`), user CPU per request.
import { readFileSync } from "node:fs";
import { realisticApp } from "./app/realistic-app.ts";
import { REALISTIC_REQUEST } from "./http-realistic.ts";
import { runWrk } from "./load/wrk.ts";
import { writeWrkScript } from "./load/wrk-script.ts";
import { Group } from "./lib/processes.ts";
import { markdownTable } from "./lib/markdown.ts";
import { compact, median } from "./lib/stats.ts";

type Fetch = (request: Request) => Response | Promise<Response>;
const identity = (response: Response) => response;
let seen = 0;
/** An app that looks at one header (a content type check, an auth header): what it costs with and without our read before it. */
const readsAHeader = (request: Request) => {
  if (request.headers.get("content-type") !== null) seen++;
};

/** Each variant: raw Bun's fetch plus one thing our path does before or after the handler. */
const VARIANTS: Record<string, (app: Fetch) => Fetch> = {
  "raw Bun": (app) => (request) => app(request),
  "+ headers.get(content-length)": (app) => {
    let counted = 0;
    return (request) => {
      const method = request.method;
      if (method !== "GET" && method !== "HEAD") counted += Number(request.headers.get("content-length"));
      return app(request);
    };
  },
  "raw Bun, the app reads Content-Type": (app) => (request) => {
    readsAHeader(request);
    return app(request);
  },
  "+ headers.get(content-length), the app reads Content-Type": (app) => {
    let counted = 0;
    return (request) => {
      const method = request.method;
      if (method !== "GET" && method !== "HEAD") counted += Number(request.headers.get("content-length"));
      readsAHeader(request);
      return app(request);
    };
  },
  "+ body === null": (app) => {
    let bodies = 0;
    return (request) => {
      if (request.body !== null) bodies++;
      return app(request);
    };
  },
  "+ then(finish)": (app) => (request) => {
    const result = app(request);
    return result instanceof Promise ? result.then(identity, () => new Response("x", { status: 500 })) : result;
  },
};

const args = process.argv.slice(2);
if (args[0] === "--serve") {
  const app = realisticApp();
  // --sync: a handler that answers the POST at once, reading neither its headers nor its body (Bun then never copies them).
  const handler: Fetch = args[2] === "--sync" ? () => new Response("ok") : (request) => app.fetch(request);
  const fetch = VARIANTS[args[1]!]!(handler);
  const server = Bun.serve({ port: 0, reusePort: false, maxRequestBodySize: Number.MAX_SAFE_INTEGER, fetch });
  console.log(`port ${server.port}`);
} else {
  await measure();
}

function userSystem(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(fields[11]) / 100, Number(fields[12]) / 100];
}

async function measure(): Promise<void> {
  const seconds = Number(args[0] ?? 4);
  const rounds = Number(args.includes("--rounds") ? args[args.indexOf("--rounds") + 1] : 5);
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1]!.split(",") : null;
  const names = Object.keys(VARIANTS).filter((name, i) => only === null || only.includes(String(i)));
  const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(
    `${new Date().toISOString()}, load average ${loadAverage()}; ${rounds} alternating rounds of ${seconds} s, server on CPU 0, wrk -t1 -c64 on CPU 1`,
  );
  const script = writeWrkScript({ request: REALISTIC_REQUEST });
  const servers: { group: Group; port: number }[] = [];
  try {
    for (const name of names) {
      const group = new Group(["taskset", "-c", "0", process.execPath, import.meta.path, "--serve", name, ...(args.includes("--sync") ? ["--sync"] : [])]);
      const line = await group.waitForLine((l) => /^port \d+/.test(l), 10_000, `${name} listening`);
      const port = Number(line.split(" ")[1]);
      servers.push({ group, port });
    }
    const load = (port: number, secs: number) => runWrk(["taskset", "-c", "1"], port, { threads: 1, connections: 64, seconds: secs, pipeline: 1, script });
    for (const s of servers) await load(s.port, 1);
    const samples = names.map(() => [] as { rps: number; user: number; kernel: number }[]);
    for (let round = 0; round < rounds; round++) {
      const order = [...names.keys()];
      for (const i of round % 2 === 0 ? order : order.reverse()) {
        const { group, port } = servers[i]!;
        const [u0, k0] = userSystem(group.pid);
        const result = await load(port, seconds);
        const [u1, k1] = userSystem(group.pid);
        if (result.errors > 0) throw new Error(`${names[i]}: ${result.errors} errors`);
        const per = (s: number) => (s * 1e6) / result.messages;
        samples[i]!.push({ rps: result.messages / result.seconds, user: per(u1 - u0), kernel: per(k1 - k0) });
        console.error(`round ${round + 1} ${names[i]}: user ${per(u1 - u0).toFixed(2)} µs`);
      }
    }
    const rows = names.map((name, i) => {
      const m = (key: "rps" | "user" | "kernel") => median(samples[i]!.map((s) => s[key]));
      return [name, `${compact(m("rps"))}/s`, m("user").toFixed(2), m("kernel").toFixed(2)];
    });
    console.log(markdownTable(["variant", "requests (median)", "user µs per request", "kernel"], rows, ["l", "r", "r", "r"]));
  } finally {
    await Promise.all(servers.map((s) => s.group.stop(0)));
  }
  console.log(`load average at the end ${loadAverage()}`);
  process.exit(0);
}
