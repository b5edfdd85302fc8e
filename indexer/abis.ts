/** The suite's ABIs (`as const`, for typed handlers), from the client's generated module (`npm run build:client`). */
export * from "../client/src/generated/abis.js";
