/** @jsxImportSource preact */
// The login form: the admin token is exchanged once for a session id kept in this tab's sessionStorage; the token itself is never stored.
import { useSignal } from "@preact/signals";
import { errorText, login } from "../api.ts";

export function Login() {
  const token = useSignal("");
  const message = useSignal<string | null>(null);
  const busy = useSignal(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const given = token.value.trim();
    if (!given) {
      message.value = "Paste the admin token first.";
      return;
    }
    busy.value = true;
    message.value = null;
    try {
      if (!(await login(given)))
        message.value = "Wrong token: the master refused it. Copy the whole line from <dataDir>/admin.token (or your admin.tokenFile).";
    } catch (err) {
      message.value = errorText(err);
    } finally {
      busy.value = false;
    }
  };

  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-describedby="login-help">
        <h1>workerman-app</h1>
        <p id="login-help" class="muted">
          Paste the admin token printed at start (the file <code>admin.token</code> in the data directory, mode 0600).
        </p>
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          autofocus
          value={token.value}
          onInput={(e) => (token.value = e.currentTarget.value)}
        />
        {message.value && (
          <p class="error" role="alert">
            {message.value}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value}>
          {busy.value ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
