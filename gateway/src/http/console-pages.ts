import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";

/** Where a browser finds the desktop console's screens on the gateway. */
export const CONSOLE_PATH = "/console";

/** The console's pages load everything from the gateway and talk only to its API. */
const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The desktop console's renderer as static files, for a technician without the app: the same
 * screens, logged in with the session cookie instead of the app's token. The files hold no
 * secret and are served to anyone; every call they make is to the API, which asks for a login.
 */
export function consolePages(dir: string): RequestHandler {
  const files = express.static(dir, { index: "index.html", fallthrough: true });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Content-Security-Policy", CONSOLE_CSP);
    files(req, res, next);
  };
}
