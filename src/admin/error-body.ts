// The admin API's one error answer, { error: { code, message, field? } } (ApiError in contract.ts), built from an AppError or from its parts.
import type { AppError } from "../errors.ts";
import type { ApiError, ApiErrorCode, HttpErrorCode } from "./contract.ts";

/**
 * From an AppError: its code and field, and its sentence with the field in front, as the CLI prints it
 * (`workers[0].count: must be a whole number ...`), so the message reads on its own.
 */
export function errorBody(err: AppError): ApiError;
export function errorBody<C extends ApiErrorCode>(code: C, message: string, field?: string): ApiError<C>;
export function errorBody(from: AppError | ApiErrorCode, message = "", field?: string): ApiError {
  if (typeof from !== "string") return errorBody(from.code, from.field ? `${from.field}: ${from.message}` : from.message, from.field);
  return { error: field === undefined ? { code: from, message } : { code: from, message, field } };
}

const CODE_OF_STATUS: Record<number, HttpErrorCode | "E_USAGE" | "E_CONFLICT"> = {
  400: "E_USAGE",
  401: "E_AUTH",
  403: "E_FORBIDDEN",
  404: "E_NOT_FOUND",
  405: "E_METHOD",
  409: "E_CONFLICT",
  413: "E_BODY_TOO_LARGE",
  415: "E_MEDIA_TYPE",
  429: "E_THROTTLED",
  503: "E_UNAVAILABLE",
};

/** The code for a refusal that only has a status (an HTTPException thrown by a Hono middleware). */
export function codeForStatus(status: number): ApiErrorCode {
  return CODE_OF_STATUS[status] ?? "E_INTERNAL";
}
