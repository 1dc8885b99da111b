// The admin API's one error answer, { error: { code, message, field? } } (ApiError in contract.ts), built from an AppError or from its parts.
import { HTTP_STATUS, type AppError, type ErrorCode } from "../errors.ts";
import type { ApiError, ApiErrorCode } from "./contract.ts";

/**
 * From an AppError: its code and field, and its sentence with the field in front, as the CLI prints it
 * (`workers[0].count: must be a whole number ...`), so the message reads on its own; a sentence that already names
 * its field stays as it is.
 */
export function errorBody(err: AppError): ApiError;
export function errorBody<C extends ApiErrorCode>(code: C, message: string, field?: string): ApiError<C>;
export function errorBody(from: AppError | ApiErrorCode, message = "", field?: string): ApiError {
  if (typeof from !== "string")
    return errorBody(from.code, from.field && !names(from.message, from.field) ? `${from.field}: ${from.message}` : from.message, from.field);
  return { error: field === undefined ? { code: from, message } : { code: from, message, field } };
}

/** Whether the sentence already names the field as a word (`limit must be ...`, `no group "x"`, `bad body: to.keep: ...`). */
function names(message: string, field: string): boolean {
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w.\\[\\]])${escaped}($|[^\\w.\\[])`).test(message);
}

/** The code for a refusal that only has a status (an HTTPException thrown by a Hono middleware): the table's first with it. */
export function codeForStatus(status: number): ApiErrorCode {
  const found = Object.entries(HTTP_STATUS).find(([, s]) => s === status);
  return (found?.[0] as ErrorCode | undefined) ?? "E_INTERNAL";
}
