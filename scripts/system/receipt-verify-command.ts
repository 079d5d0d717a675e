import type { DemoSystem } from "../demo/demo-system.js";

/** The verify command's trust options for a demo system's receipts: its deployment, the development key, one confirmation. */
export function demoTrustArgs(system: DemoSystem, deploymentFile = system.deploymentFile): string[] {
  return [
    "--chain-id",
    String(system.deployment.chainId),
    "--deployment",
    deploymentFile,
    "--min-confirmations",
    "1",
    "--allow-dev-key",
  ];
}
