/**
 * @plinth/client: everything a dApp needs to talk to a deployed Plinth suite.
 *
 * - ABIs `as const` (viem / wagmi): `deviceRegistryAbi`, ..., and `abis` by name
 * - TypeChain (ethers v6) types and factories: `DeviceRegistry`, `DeviceRegistry__factory`, ...
 * - Addresses per chain id: `deployments`, `getDeployment(chainId)`, `connectSuite(chainId, runner)`
 * - EIP-712 builders (`eip712.<area>`) and device signers (`signers.<name>`)
 * - Readable custom errors: `decodeError(error)`, `decodeRevertData(data)` -> `{ name, args, message }`
 */
export * from "./generated/abis.js";
export * from "./generated/typechain/index.js";
export { deployments } from "./generated/deployments.js";
export { suiteFactories } from "./generated/contracts.js";
export * as eip712 from "./generated/eip712.js";
export * as signers from "./generated/signers.js";
export { decodeError, decodeRevertData, knownErrors, revertDataOf, type DecodedError } from "./errors.js";
export {
  connectSuite,
  getDeployment,
  supportedChains,
  type Suite,
  type SuiteAddresses,
  type SuiteContractName,
} from "./suite.js";
