// Refuses (503 E_UNAVAILABLE) a route that reads the store while its database could not be opened.
import { AppError } from "../errors.ts";
import type { AdminContext } from "./context.ts";

export function requireStore(ctx: AdminContext): void {
  if (!ctx.store.available) throw new AppError("E_UNAVAILABLE", `the store is unavailable: ${ctx.store.health()?.lastError ?? "not open"}`);
}
