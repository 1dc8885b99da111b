// Refuses requests whose Host header is not this admin plane's address, so a DNS-rebinding page cannot reach it.
import type { MiddlewareHandler } from "hono";
import { isLoopbackHost } from "../config/listen-url.ts";
import type { AdminConfig } from "../config/types.ts";
import type { AdminEnv } from "./context.ts";
import { AppError } from "../errors.ts";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** An IP literal cannot be rebound to another machine by DNS; a name can, unless the operator listed it. */
export function hostAllowed(hostHeader: string, admin: AdminConfig, port: number): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  if (!match) return false;
  const name = match[1]!.replace(/^\[|\]$/g, "");
  if (Number(match[2] ?? 80) !== port) return false;
  const bound = admin.host.toLowerCase();
  const isIp = IPV4.test(name) || name.includes(":");
  if (name === bound) return true;
  if (isLoopbackHost(bound) && (name === "localhost" || name === "127.0.0.1" || name === "::1")) return true;
  if ((bound === "0.0.0.0" || bound === "::") && (isIp || name === "localhost")) return true;
  return (admin.allowedHosts ?? []).some((allowed) => allowed.toLowerCase() === name);
}

export function hostCheck(admin: AdminConfig, port: () => number): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    // The header itself when present (what a rebinding browser sends); request.url only for in-process requests.
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    if (!hostAllowed(host, admin, port())) {
      throw new AppError("E_FORBIDDEN", `Host "${host}" is not this admin plane's address; use ${admin.host}:${port()} or add the name to admin.allowedHosts`);
    }
    await next();
  };
}
