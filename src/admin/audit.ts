// Records an admin action in the audit log and announces it on the live feed.
import type { Context } from "hono";
import { clientAddress } from "./client-address.ts";
import type { AdminContext, AdminEnv } from "./context.ts";
import type { LiveFeed } from "./live-feed.ts";

export interface AuditEntry {
  action: string;
  target: string;
  /** "ok", "refused", or what went wrong. */
  result: string;
  detail?: Record<string, unknown>;
}

export type Audit = (c: Context<AdminEnv>, entry: AuditEntry) => void;

export function auditor(ctx: AdminContext, feed: LiveFeed): Audit {
  return (c, entry) => {
    const record = { at: Date.now(), ...entry, actor: c.get("auth") ?? "none", source: clientAddress(c) };
    ctx.store.log.recordAudit(record);
    feed.publish({ type: "admin-action", ...record });
  };
}
