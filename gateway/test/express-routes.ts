import type { RequestListener } from "node:http";

interface Layer {
  name: string;
  regexp: RegExp & { fast_slash?: boolean };
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** The path an Express 4 router was mounted at, read back from the pattern Express made of it. */
function mountPath(layer: Layer): string {
  if (layer.regexp.fast_slash) return "";
  return layer.regexp.source
    .replace(/^\^/, "")
    .replace(/\\\/\?\(\?=\\\/\|\$\)$/, "")
    .replace(/\\\//g, "/");
}

function walk(stack: readonly Layer[], prefix: string): { method: string; path: string }[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/(.)\/$/, "$1");
      return Object.keys(layer.route.methods).map((method) => ({ method, path }));
    }
    return layer.name === "router" && layer.handle.stack ? walk(layer.handle.stack, prefix + mountPath(layer)) : [];
  });
}

/** Every route an Express 4 app answers, with its full path, found by walking its router stack. */
export function expressRoutes(app: RequestListener): { method: string; path: string }[] {
  const router = (app as unknown as { _router?: { stack: Layer[] } })._router;
  if (!router) throw new Error("not an Express application");
  return walk(router.stack, "");
}
