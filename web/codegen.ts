import type { CodegenConfig } from "@graphql-codegen/cli";

// Operation types come from the checked-in API contract, never from a running server, so
// tests/web/test_codegen.py can tell when src/lib/generated/ is stale. PODRUN_CODEGEN_OUT sends
// the output elsewhere (the test generates into a temporary directory and compares).
const out = process.env.PODRUN_CODEGEN_OUT ?? "src/lib/generated/";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/lib/api/operations/*.ts"],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: "string",
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: { DateTime: "string" },
      },
    },
  },
};

export default config;
