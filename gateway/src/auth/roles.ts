/**
 * Technicians set the gateway up and manage accounts; integrators build flows;
 * viewers look. Each role can do what the ones after it can.
 */
export const ROLES = ["technician", "integrator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { technician: 3, integrator: 2, viewer: 1 };

/** Whether `role` may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Node-RED's permission scopes: `*` edits flows, `read` only looks. */
export function nodeRedPermissions(role: Role): "*" | "read" {
  return roleAtLeast(role, "integrator") ? "*" : "read";
}
