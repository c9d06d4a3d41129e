// Typed lint rules that catch async bugs in loop code (no-floating-promises,
// no-misused-promises), plus the house rules: type-only imports, curly braces, and
// process.env only in config.ts / main.ts (config is parsed once, at the composition root).
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      ".vigil/**",
      "**/templates/**",
      "**/coverage/**",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ["*.js", "*.ts", "bench/*.mjs", "bench/*/*.mjs"],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: true },
    rules: {
      curly: "error",
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports" },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read the environment only in config.ts or main.ts.",
        },
      ],
    },
  },
  {
    files: [
      "**/config.ts",
      "**/main.ts",
      "**/*.test.ts",
      "**/test/**",
      "bench/**",
      "packages/config/src/**",
      "packages/db/src/testing/**",
      "packages/lifecycle/src/supervisor-lifeline.ts",
      "*.ts",
      "*.js",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // expect.any() and friends are typed any; fixtures and benchmarks favour brevity
    files: ["**/*.test.ts", "**/test/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);
