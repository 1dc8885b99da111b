// Reads a request body before its handler runs, counting it against maxBodySize, the process's input budget and packageTimeout.
import type { Server } from "bun";
import { releaseBuffer } from "../released-memory.ts";
import type { BodyHold } from "./input-budget.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** How a refusal is answered (a client error: counted, logged, `Connection: close`). */
export type Refuse = (status: number, text: string, why: string) => Response;

/** Why a body read was given up before it finished; null while it may go on. */
type Stop = null | "budget" | "timeout";

/**
 * Reads the body through a clone (the handler still gets the original request, and server.requestIP works). Bun's
 * clone is a tee that gives both branches the same chunks: the original keeps each one the clone shows here, for the
 * handler, so the bytes read are counted as held by the process until the handler gets them; the budget may close
 * this read (the heaviest go first), and so may packageTimeout. What is held is at most maxBodySize and one chunk.
 * A body refused (too big, shed, timed out, unreadable) never reaches the handler: its chunks are freed at once.
 */
export async function readBodyFirst(runtime: WorkerRuntime, request: Request, server: Server<unknown>, refuse: Refuse): Promise<Response | null> {
  const limit = runtime.config.maxBodySize;
  const budget = runtime.input;
  let stop: Stop = null;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  const chunks: Uint8Array[] = [];
  const hold: BodyHold = {
    inputHeld: 0,
    startedAt: Date.now(),
    get remoteAddress() {
      return server.requestIP(request)?.address ?? "";
    },
    shedInput(reason) {
      // The budget or its timer (which count and log it): the bytes go back to the budget now, the read ends at its next await.
      stop ??= reason;
      budget.releaseBody(hold, releaseChunks(chunks));
      reader?.cancel().catch(() => {});
    },
  };
  budget.holdBody(hold);
  let refusal: Response | null = null;
  try {
    reader = request.clone().body!.getReader();
    for (let chunk = await reader.read(); !chunk.done && stop === null; chunk = await reader.read()) {
      chunks.push(chunk.value);
      const size = chunk.value.byteLength;
      hold.inputHeld += size;
      budget.add(size);
      if (hold.inputHeld > limit) {
        reader.cancel().catch(() => {});
        refusal = refuse(413, "Payload Too Large", `a ${request.headers.has("content-length") ? "" : "chunked "}body is over maxBodySize ${limit}`);
        break;
      }
      if (budget.over) budget.shed();
    }
  } catch {
    if (stop === null) refusal = refuse(400, "Bad Request: the request body could not be read", "the request body could not be read");
  } finally {
    runtime.counters.bytesRead += hold.inputHeld;
    // Read whole, the body is the handler's; refused, nobody will read it.
    budget.releaseBody(hold, refusal !== null || stop !== null ? releaseChunks(chunks) : false);
  }
  if (refusal !== null) return refusal;
  // Not client errors: the input budget counted them and logs them once a minute, so no line per request here.
  if (stop === "timeout") return closing(408, "Request Timeout");
  if (stop === "budget") return closing(503, "Service Unavailable");
  return null;
}

/** Frees a refused body's chunks (the original request's queue keeps them otherwise, until a collection): true. */
function releaseChunks(chunks: Uint8Array[]): true {
  for (const chunk of chunks) releaseBuffer(chunk, 0);
  chunks.length = 0;
  return true;
}

function closing(status: number, text: string): Response {
  return new Response(text, { status, headers: { Connection: "close" } });
}
