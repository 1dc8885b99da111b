// The realistic HTTP handler the benchmark compares: a Hono router with three routes, the measured one parsing a POSTed JSON order.
import { Hono } from "hono";

interface OrderLine {
  sku: string;
  qty: number;
  price: number;
}

interface Order {
  customer: string;
  lines: OrderLine[];
}

/** The body the load POSTs to /orders (bench/load/wrk.ts sends it; the PHP router answers it alike). */
export const ORDER_BODY = JSON.stringify({
  customer: "c-1042",
  lines: [
    { sku: "A-100", qty: 2, price: 9.5 },
    { sku: "B-220", qty: 1, price: 24 },
    { sku: "C-310", qty: 3, price: 4.25 },
  ],
});

function isOrder(value: unknown): value is Order {
  const order = value as Order;
  return (
    typeof order?.customer === "string" && Array.isArray(order.lines) && order.lines.every((l) => typeof l.qty === "number" && typeof l.price === "number")
  );
}

/** Two routes the request passes over before it reaches the third: a router that stops at the first one is not measured. */
export function realisticApp(): Hono {
  const app = new Hono();
  app.get("/health", (c) => c.text("ok"));
  app.get("/users/:id", (c) => c.json({ id: c.req.param("id"), name: "Ada" }));
  app.post("/orders", async (c) => {
    const order: unknown = await c.req.json().catch(() => null);
    if (!isOrder(order)) return c.json({ error: "expected { customer, lines: [{ sku, qty, price }] }" }, 400);
    const total = order.lines.reduce((sum, line) => sum + line.qty * line.price, 0);
    return c.json({ customer: order.customer, items: order.lines.length, total }, 201);
  });
  return app;
}

/** The same three routes with no router library: a switch on method and path, Bun's Request and Response only (profiling). */
export function plainRealisticFetch(): (request: Request) => Promise<Response> | Response {
  return async (request) => {
    const url = request.url;
    const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    if (request.method === "GET" && path === "/health") return new Response("ok");
    if (request.method === "GET" && path.startsWith("/users/")) return Response.json({ id: path.slice(7), name: "Ada" });
    if (request.method !== "POST" || path !== "/orders") return new Response("Not Found", { status: 404 });
    const order: unknown = await request.json().catch(() => null);
    if (!isOrder(order)) return Response.json({ error: "expected { customer, lines: [{ sku, qty, price }] }" }, { status: 400 });
    const total = order.lines.reduce((sum, line) => sum + line.qty * line.price, 0);
    return Response.json({ customer: order.customer, items: order.lines.length, total }, { status: 201 });
  };
}
