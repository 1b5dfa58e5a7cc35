// Lint like the ecosystem's anchors: typescript-eslint's recommended rules plus Pulumi's own
// plugin, which catches outputs interpolated into template literals.
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "out/", "policies/bin/", "policies/dist/", "**/*.js", "**/*.mjs", "**/*.cjs"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            // The program, the pack's server module and schema models are loaded at run time, by path,
            // the way the language host and the policy runner load them.
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-explicit-any": "error",
        },
    },
);
