import express, { type Router } from "express";
import { z } from "zod";
import type { GatewayAuth } from "../auth/gateway-auth.js";
import { ROLES } from "../auth/roles.js";
import { requirePrincipal, route } from "./route.js";

const newAccount = z.object({ username: z.string().max(64), password: z.string().max(256), role: z.enum(ROLES) });
const roleChange = z.object({ role: z.enum(ROLES) });
const passwordReset = z.object({ password: z.string().max(256) });

/** /api/accounts: technicians manage who may log in and with which role. */
export function accountRoutes(auth: GatewayAuth): Router {
  const router = express.Router();

  router.get(
    "/",
    route((req, res) => {
      requirePrincipal(req, "technician");
      res.json(auth.accounts.list());
    }),
  );

  router.post(
    "/",
    route(async (req, res) => {
      const account = await auth.createAccount(requirePrincipal(req, "technician"), newAccount.parse(req.body));
      res.status(201).json(account);
    }),
  );

  router.put(
    "/:username/role",
    route((req, res) => {
      auth.setRole(requirePrincipal(req, "technician"), String(req.params.username), roleChange.parse(req.body).role);
      res.status(204).end();
    }),
  );

  router.put(
    "/:username/password",
    route(async (req, res) => {
      await auth.changePassword(requirePrincipal(req, "technician"), {
        username: String(req.params.username),
        newPassword: passwordReset.parse(req.body).password,
      });
      res.status(204).end();
    }),
  );

  router.delete(
    "/:username",
    route((req, res) => {
      auth.deleteAccount(requirePrincipal(req, "technician"), String(req.params.username));
      res.status(204).end();
    }),
  );

  return router;
}
