// Reads an action's JSON body against its schema; a browser session must also label it application/json.
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../errors.ts";
import type { AdminEnv } from "./context.ts";

/**
 * A JSON Content-Type cannot be sent cross-origin without a CORS preflight (which this server never grants), so for
 * browser sessions it backs up the Origin check. Token clients (curl, scripts) may omit it; the body must still be JSON.
 * An empty body reads as {}. Throws E_MEDIA_TYPE (415) or E_USAGE (400, naming the field), which app.ts answers.
 */
export async function readJsonBody<S extends z.ZodType>(c: Context<AdminEnv>, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (c.get("auth") !== "token" && !/^application\/json\s*(;|$)/i.test(type)) {
    throw new AppError("E_MEDIA_TYPE", "send the body as JSON with Content-Type: application/json");
  }
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AppError("E_USAGE", "the body is not valid JSON");
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : undefined;
    throw new AppError("E_USAGE", `bad body: ${field ? `${field}: ` : ""}${issue.message}`, { field });
  }
  return parsed.data;
}
