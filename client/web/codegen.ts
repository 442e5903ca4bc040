import type { CodegenConfig } from "@graphql-codegen/cli";

// Operation types come from the checked-in SDL: a contract change that breaks
// an operation fails `npm run build`, not the user.
const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { Date: "string", DateTime: "string", Decimal: "string", JSON: "unknown" },
      },
    },
  },
};

export default config;
