// What the chaos run knows of the app it drives: the good code on disk, its count, the last deploy probation may still roll back.
import type { Random } from "../../test/master/sim-random.ts";
import type { DaemonApp } from "./daemon-app.ts";

export const HANDLER = (version: number) => `export default { fetch: () => new Response("v${version}") };`;

export interface ChaosState {
  app: DaemonApp;
  random: Random;
  /** The version the good code on disk answers with. */
  version: number;
  count: number;
  /** The last good reload or count change, while its probation could still roll it back. */
  deployed?: Deployed;
}

/** A deploy that may still be rolled back by its probation: the reload's id and what ran before it. */
export interface Deployed {
  id: number;
  previous: { version: number; count: number };
}
