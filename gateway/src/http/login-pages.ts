import express, { type Request, type Response, type Router } from "express";
import { ThrottledError } from "../auth/auth-errors.js";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import { startSession } from "./auth-routes.js";
import { clearedSessionCookie, clientAddress, principalOf } from "./request-auth.js";
import type { Access, ApiRoutes } from "./api-routes.js";
import { formField, route } from "./route.js";

const STYLE = `
  body { font: 15px/1.5 system-ui, sans-serif; background: #f4f6f8; color: #1d2733; margin: 0; }
  main { max-width: 26rem; margin: 12vh auto; background: #fff; padding: 2rem 2.25rem; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; } p.sub { color: #5b6775; margin: 0 0 1.5rem; }
  label { display: block; margin: .9rem 0 .25rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .55rem .6rem; border: 1px solid #b9c2cc; border-radius: 4px; font: inherit; }
  button, a.button { margin-top: 1.4rem; padding: .6rem 1.1rem; border: 0; border-radius: 4px; background: #2d6cb5; color: #fff;
         font: inherit; cursor: pointer; text-decoration: none; display: inline-block; }
  .error { background: #fdecec; color: #8c1d1d; padding: .6rem .8rem; border-radius: 4px; }
  code { background: #eef1f4; padding: 0 .25rem; border-radius: 3px; }`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where to go after logging in: a path on this gateway only, never another site. */
function safeNext(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\") ? value : "/";
}

function sendPage(res: Response, title: string, body: string, status = 200): void {
  res
    .status(status)
    .setHeader(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .type("html")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>${escape(title)} · IntelLedger Edge</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`,
    );
}

function errorBox(message: string | undefined): string {
  return message ? `<p class="error" role="alert">${escape(message)}</p>` : "";
}

function failureMessage(error: unknown): string {
  if (error instanceof ThrottledError) {
    const seconds = Math.ceil(error.retryAfterMs / 1000);
    return `Too many failed attempts. Try again in ${seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`;
  }
  return error instanceof Error ? error.message : "that did not work";
}

function loginForm(res: Response, next: string, error?: string): void {
  sendPage(
    res,
    "Log in",
    `<h1>IntelLedger Edge gateway</h1><p class="sub">Log in to continue.</p>${errorBox(error)}
    <form method="post" action="/login">
      <input type="hidden" name="next" value="${escape(next)}">
      <label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
      <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Log in</button>
    </form>`,
    error ? 401 : 200,
  );
}

function pairForm(res: Response, error?: string): void {
  sendPage(
    res,
    "Pair",
    `<h1>Set up this gateway</h1>
    <p class="sub">Enter the one-time pairing code the gateway printed when it started (also in the file
    <code>pairing-code</code> in its data folder), and choose the first account. It will be a technician account.</p>
    ${errorBox(error)}
    <form method="post" action="/pair">
      <label for="code">Pairing code</label><input id="code" name="code" autocomplete="one-time-code" required autofocus>
      <label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
      <label for="password">Password (at least 10 characters)</label>
      <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
      <button type="submit">Create account</button>
    </form>`,
    error ? 400 : 200,
  );
}

/** The gateway's own pages: pairing, login, logout, and a start page. Plain forms, no script. */
export function loginPages(auth: GatewayAuth, options: { gatewayId: string; editorPath: () => string | undefined }): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: "4kb" }));
  const paired = () => auth.pairingCode === undefined;

  router.get("/", (req: Request, res: Response) => {
    const principal = principalOf(req);
    if (!principal) {
      res.redirect(303, paired() ? "/login" : "/pair");
      return;
    }
    const editor = options.editorPath();
    sendPage(
      res,
      "Gateway",
      `<h1>IntelLedger Edge gateway</h1><p class="sub"><code>${escape(options.gatewayId)}</code></p>
      <p>Logged in as <b>${escape(principal.username)}</b> (${principal.role}).</p>
      ${editor ? `<p><a class="button" href="${escape(editor)}">Open the flow editor</a></p>` : ""}
      <p>The admin API is under <code>/api</code>.</p>
      <form method="post" action="/logout"><button type="submit">Log out</button></form>`,
    );
  });

  router.get("/login", (req: Request, res: Response) => {
    if (!paired()) {
      res.redirect(303, "/pair");
      return;
    }
    loginForm(res, safeNext(req.query.next));
  });

  router.post(
    "/login",
    route(async (req, res) => {
      const next = safeNext(formField(req.body, "next"));
      try {
        const session = await auth.login(formField(req.body, "username"), formField(req.body, "password"), clientAddress(req));
        startSession(res, session);
        res.redirect(303, next);
      } catch (error) {
        loginForm(res, next, failureMessage(error));
      }
    }),
  );

  router.get("/pair", (_req: Request, res: Response) => {
    if (paired()) {
      res.redirect(303, "/login");
      return;
    }
    pairForm(res);
  });

  router.post(
    "/pair",
    route(async (req, res) => {
      try {
        const session = await auth.pair(
          {
            code: formField(req.body, "code"),
            username: formField(req.body, "username"),
            password: formField(req.body, "password"),
          },
          clientAddress(req),
        );
        startSession(res, session);
        res.redirect(303, "/");
      } catch (error) {
        pairForm(res, failureMessage(error));
      }
    }),
  );

  router.post("/logout", (req: Request, res: Response) => {
    const principal = principalOf(req);
    if (principal) auth.logout(principal);
    res.setHeader("Set-Cookie", clearedSessionCookie());
    res.redirect(303, "/login");
  });

  return router;
}

/** The pages in the API's description: plain HTML forms (urlencoded), each answering a page or a redirect. */
export function describeLoginPages(api: ApiRoutes): void {
  const page = (method: "get" | "post", path: string, summary: string, access: Access = "public") =>
    api.describe({ method, path, summary, access, contentType: "text/html" });
  page("get", "/", "Start page (redirects to /login or /pair without a session)");
  page("get", "/login", "Login form");
  page("post", "/login", "Logs in from the form (username, password, next); redirects to next");
  page("get", "/pair", "Pairing form, while the gateway has no account");
  page("post", "/pair", "Creates the first account from the form (code, username, password); redirects to /");
  page("post", "/logout", "Logs out; redirects to /login");
}
