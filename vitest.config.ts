import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "{proto,service-kit,test-support,circuits,contracts,verify,gateway,cloud-relay,flows,desktop-console,scripts}/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Tests start real servers and chains; two cores share them.
    pool: "forks",
    maxWorkers: 2,
  },
});
