import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/src/gen/**",
      "**/generated/**",
      ".tools/**",
      // What npm start and the tests write: the demo's data, the console it builds.
      ".data/**",
      "test-results/**",
      "contracts/artifacts/**",
      "contracts/cache/**",
      "**/dist/**",
      "firmware/build/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "no-console": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Command-line entry points talk to their user on the terminal.
    files: ["**/cli.ts", "**/*-cli.ts", "scripts/**/*.ts", "**/bench/**/*.ts", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
  {
    // Packages' src folders ship (the gateway's .deb takes all of gateway/src but its *.test.ts);
    // what only tests use lives in a test/ folder.
    files: ["*/src/**/*.{ts,tsx,js}"],
    ignores: ["**/*.test.{ts,tsx}", "test-support/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["vitest", "@intelledger/test-support"].map((name) => ({
            name,
            message: "Test helpers belong in a test/ folder.",
          })),
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Scripts Node-RED loads into its editor, in the browser.
    files: ["flows/resources/**/*.js"],
    languageOptions: { globals: { ...globals.browser }, sourceType: "script" },
  },
);
