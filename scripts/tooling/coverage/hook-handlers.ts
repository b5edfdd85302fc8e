/**
 * The plugin's `solidity` hook handlers (see ./plugin.ts): under `--coverage`, add branch probes
 * to every file Hardhat instrumented, and the probes' helper library to the solc input.
 */
import type { SolidityHooks } from "hardhat/types/hooks";
import { BRANCH_LIBRARY_SOURCE_NAME, branchLibrarySource, edrLibraryOf, instrumentBranches } from "./branches.js";

/** EDR's coverage library source name, learnt from the first instrumented file. */
let edrLibrary: string | undefined;

export default async (): Promise<Partial<SolidityHooks>> => ({
  preprocessProjectFileBeforeBuilding: async (context, inputSourceName, fsPath, fileContent, solcVersion, next) => {
    const processed = await next(context, inputSourceName, fsPath, fileContent, solcVersion);
    if (context.globalOptions.coverage !== true) return processed;
    const library = edrLibraryOf(processed);
    if (library === undefined) return processed; // a file Hardhat does not instrument (tests, skipped)
    edrLibrary = library;
    return instrumentBranches(processed, inputSourceName).source;
  },
  preprocessSolcInputBeforeBuilding: async (context, solcInput, next) => {
    const input = await next(context, solcInput);
    if (context.globalOptions.coverage !== true) return input;
    const usesProbes = Object.values(input.sources).some((source) =>
      source.content?.includes(`import "${BRANCH_LIBRARY_SOURCE_NAME}";`),
    );
    if (!usesProbes) return input;
    if (edrLibrary === undefined) throw new Error("branch coverage: EDR's coverage library name is unknown");
    if (input.sources[BRANCH_LIBRARY_SOURCE_NAME] !== undefined) {
      throw new Error(`branch coverage: ${BRANCH_LIBRARY_SOURCE_NAME} is already in the solc input`);
    }
    input.sources[BRANCH_LIBRARY_SOURCE_NAME] = { content: branchLibrarySource(edrLibrary) };
    return input;
  },
});
