// Hono's typing of the admin app and how a request proved who it is: a leaf every admin file may import.

/** How a request proved who it is: the token header, a login session (X-Session header), or nothing needed (/metrics when public). */
export type AuthKind = "token" | "session" | "public";

/** Hono's typing of the admin app: `c.env` is Bun's server (client address, per-request timeouts). */
export interface AdminEnv {
  Bindings: {
    requestIP?: (request: Request) => { address: string; family?: string; port?: number } | null;
    timeout?: (request: Request, seconds: number) => void;
  };
  Variables: { auth: AuthKind };
}
