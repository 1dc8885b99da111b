// Records an admin action in the audit log and announces it on the live feed; refusals of unauthenticated callers at a bounded rate.
import type { Context } from "hono";
import { DEFAULT_BOUND, moreLikeThis, timedBound, type FamilyCount, type RateBoundOptions } from "../store/rate-bound.ts";
import { clientAddress } from "./client-address.ts";
import type { MasterStore } from "../store/master-store.ts";
import type { AdminEnv } from "./admin-env.ts";
import type { AuditRecord } from "./contract.ts";
import type { LiveFeed } from "./live-feed.ts";

export interface AuditEntry {
  action: string;
  target: string;
  /** "ok", "refused", or what went wrong. */
  result: string;
  detail?: Record<string, unknown>;
}

export interface Audit {
  (c: Context<AdminEnv>, entry: AuditEntry): void;
  /** Per family ("login-refused", "authenticate-refused"): every refusal counted, and how many only a summary mentions. */
  counts: () => Map<string, FamilyCount>;
  /** Writes the summaries the current window holds, and stops its timer. */
  stop: () => void;
}

type Record_ = Omit<AuditRecord, "id">;

/**
 * Anyone can send a wrong secret as fast as the socket allows, so entries of callers who proved nothing (actor
 * "none") are kept a few per source address per minute, and a few dozen in all; the rest become one summary row
 * per source ("19,990 more like this in the last minute"), written when the minute ends.
 */
export function auditor(ctx: { store: Pick<MasterStore, "log"> }, feed: LiveFeed, bound: RateBoundOptions = DEFAULT_BOUND): Audit {
  const write = (record: Record_) => {
    ctx.store.log.recordAudit(record);
    feed.publish({ type: "admin-action", ...record });
  };
  const refusals = timedBound<Record_>(bound, (s) => {
    const sample = s.sample;
    write({
      at: Date.now(),
      action: sample?.action ?? s.family.replace(/-refused$/, ""),
      target: sample?.target ?? "*",
      actor: "none",
      source: s.key === "*" ? `${s.kinds} other addresses` : s.key,
      result: `refused: ${moreLikeThis(s.count, s.windowMs)}`,
      detail: { suppressed: s.count, addresses: s.kinds, seconds: s.windowMs / 1000 },
    });
  });
  const audit = (c: Context<AdminEnv>, entry: AuditEntry) => {
    const actor: string = c.get("auth") ?? "none";
    const record = { at: Date.now(), ...entry, actor, source: clientAddress(c) };
    if (record.actor !== "none" || refusals.admit(`${entry.action}-refused`, record.source, record)) write(record);
  };
  return Object.assign(audit, { counts: () => refusals.counts(), stop: () => refusals.stop() });
}
