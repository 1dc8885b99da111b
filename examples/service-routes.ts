// The microservice's routes, shared by the unix-socket JSON service and its REST twin, with per-route metrics.
import type { Worker } from "workerman-app";

export interface ServiceReply {
  status: number;
  data?: unknown;
  error?: string;
}

/** A refusal with a status other than 500 (bad input, not found). */
export class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Route = (data: unknown) => unknown;

const routes: Record<string, Route> = {
  "GET /ping": () => ({ pong: true, pid: process.pid }),
  "POST /echo": (data) => data,
  "POST /sum": (data) => {
    if (!Array.isArray(data) || !data.every((n) => typeof n === "number")) throw new RouteError(400, "data must be an array of numbers");
    return data.reduce((a: number, b: number) => a + b, 0);
  },
  "GET /fail": () => {
    throw new Error("this route always fails");
  },
};

/** Runs one request; metrics per route: "<METHOD /path> requests", "errors", "avgMs" (shown in status --json). */
export async function dispatch(worker: Worker, method: unknown, path: unknown, data: unknown): Promise<ServiceReply> {
  const key = `${String(method ?? "GET").toUpperCase()} ${String(path)}`;
  const route = routes[key];
  if (!route) return { status: 404, error: `no route ${key}` };
  const started = performance.now();
  const metrics = worker.metrics;
  metrics.inc(`${key} requests`);
  try {
    return { status: 200, data: await route(data) };
  } catch (err) {
    metrics.inc(`${key} errors`);
    return { status: err instanceof RouteError ? err.status : 500, error: (err as Error).message };
  } finally {
    const total = metrics.get(`${key} totalMs`) ?? 0;
    metrics.set(`${key} totalMs`, total + (performance.now() - started));
    metrics.set(`${key} avgMs`, Math.round(((total + performance.now() - started) / metrics.get(`${key} requests`)!) * 1000) / 1000);
  }
}
