// The peer address of an admin request, as the socket saw it: the key for throttling and the audit log.
import type { Context } from "hono";
import type { AdminEnv } from "./admin-env.ts";

/** X-Forwarded-For is deliberately ignored: anyone can send it, and the admin plane sits behind no trusted proxy. */
export function clientAddress(c: Context<AdminEnv>): string {
  try {
    return c.env?.requestIP?.(c.req.raw)?.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
