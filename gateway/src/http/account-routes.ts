import { z } from "zod";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import { ROLES } from "../auth/roles.js";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";

const username = z.string().min(1).max(64);
const password = z.string().max(256);
const role = z.enum(ROLES);
const account = z.object({ username: z.string(), role, createdAtMs: z.number() });
const byName = z.strictObject({ username });

/** /api/accounts: technicians manage who may log in and with which role. */
export function accountRoutes(api: ApiRoutes, auth: GatewayAuth): RouteGroup {
  const routes = api.under("/api/accounts");

  routes.add({
    method: "get",
    path: "/",
    summary: "List accounts",
    access: "technician",
    response: z.array(account),
    handle: () => auth.accounts.list(),
  });

  routes.add({
    method: "post",
    path: "/",
    summary: "Create an account",
    access: "technician",
    body: z.strictObject({ username, password, role }),
    response: account,
    status: 201,
    handle: ({ principal, body }) => auth.createAccount(principal, body),
  });

  routes.add({
    method: "put",
    path: "/:username/role",
    summary: "Change an account's role (the last technician keeps theirs)",
    access: "technician",
    params: byName,
    body: z.strictObject({ role }),
    handle: ({ principal, params, body }) => auth.setRole(principal, params.username, body.role),
  });

  routes.add({
    method: "put",
    path: "/:username/password",
    summary: "Set another account's password",
    access: "technician",
    params: byName,
    body: z.strictObject({ password }),
    handle: ({ principal, params, body }) =>
      auth.changePassword(principal, { username: params.username, newPassword: body.password }),
  });

  routes.add({
    method: "delete",
    path: "/:username",
    summary: "Delete an account (not the last technician)",
    access: "technician",
    params: byName,
    handle: ({ principal, params }) => auth.deleteAccount(principal, params.username),
  });

  return routes;
}
