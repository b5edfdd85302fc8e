import { ZeroHash, type ContractRunner } from "ethers";
import { createPublicClient, custom, zeroHash, type EIP1193Provider } from "viem";
import { connectSuite, decodeError, deviceRegistryAbi, type Address, type SuiteAddresses } from "@plinth/client";

/** ethers v6: typed contracts from the deployment bundled for `chainId` (or explicit addresses). */
export async function readWithEthers(runner: ContractRunner, where: bigint | SuiteAddresses, account: Address) {
  const { DeviceRegistry } = connectSuite(where, runner); // every suite contract, none optional

  const isGovernance = await DeviceRegistry.hasRole(ZeroHash, account); // DEFAULT_ADMIN_ROLE
  let refusal;
  try {
    await DeviceRegistry.admitManufacturer.staticCall(account, account); // governance only
  } catch (error) {
    refusal = decodeError(error); // { name, args, message } from any Plinth custom error
  }
  return { isGovernance, refusal };
}

/** viem / wagmi: the same read with the `as const` ABI (fully typed function names and args). */
export async function readWithViem(transport: EIP1193Provider, registry: Address, account: Address) {
  const client = createPublicClient({ transport: custom(transport) });
  return client.readContract({
    address: registry,
    abi: deviceRegistryAbi,
    functionName: "hasRole",
    args: [zeroHash, account], // DEFAULT_ADMIN_ROLE
  });
}
