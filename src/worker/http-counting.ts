// http:// groups: each response's time to a Response and its status code, counted on the request path (two clock reads, two array writes).
import type { Server } from "bun";
import { Histogram } from "../latency-histogram.ts";
import { MAX_STATUS_CODES } from "../ipc.ts";

/** Set to 1 for the bench's "without counting" rounds only: the http path then skips the clock, the status and the histogram. */
export const UNCOUNTED_ENV = "WORKERMAN_BENCH_UNCOUNTED";

/** http-answer.ts's Answer, spelled out: importing it would close an import circle through the runtime. */
type Answer = (request: Request, server: Server<unknown>) => Response | Promise<Response>;

export class HttpCounting {
  readonly duration = new Histogram();
  /** By status code: Bun's Response takes 101 and 200..599, so an array indexed by the code is enough. */
  readonly #byCode = new Float64Array(600);
  #other = 0;
  /** The codes reported by name, first reported first (the cap keeps them; within one report, in code order). */
  readonly #named: number[] = [];

  record(response: Response, startedAt: number): void {
    this.duration.observe((performance.now() - startedAt) / 1000);
    // Not a Response (a handler bug): Bun answers a 500 through its error handler, counted as a handler error only.
    const status = response?.status;
    if (typeof status !== "number") return;
    if (status < 600) this.#byCode[status]!++;
    else this.#other++;
    // No response bytes: Bun writes the body natively, and even reading a Content-Length (response.headers makes a
    // Headers object) cost 0.5 µs a request, 3% of a hello-world's CPU; a string body has none to read anyway.
  }

  /** The codes for IPC; a code first seen after MAX_STATUS_CODES others is folded into "other". */
  codes(): Record<string, number> {
    const out: Record<string, number> = {};
    let other = this.#other;
    for (let code = 0; code < this.#byCode.length; code++) {
      const n = this.#byCode[code]!;
      if (n === 0) continue;
      if (!this.#named.includes(code) && this.#named.length < MAX_STATUS_CODES) this.#named.push(code);
      if (this.#named.includes(code)) out[code] = n;
      else other += n;
    }
    if (other > 0) out.other = other;
    return out;
  }
}

/** `answer` with each response timed and counted; a promise stays one promise (one `then` more). */
export function countedAnswer(counting: HttpCounting, answer: Answer): Answer {
  return (request: Request, server: Server<unknown>) => {
    const startedAt = performance.now();
    const result = answer(request, server);
    if (result instanceof Promise) {
      return result.then((response) => {
        counting.record(response, startedAt);
        return response;
      });
    }
    counting.record(result, startedAt);
    return result;
  };
}
