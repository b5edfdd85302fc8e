/**
 * Prints the network's chain id, latest block and the first configured account with its balance.
 * A quick check that a network's configuration (RPC URL, deployer key) works:
 *   npx hardhat run scripts/tooling/chain-info.ts --network sepolia
 */
import { network } from "hardhat";

const { ethers, networkName } = await network.create();
const [chain, block, signers] = await Promise.all([
  ethers.provider.getNetwork(),
  ethers.provider.getBlockNumber(),
  ethers.getSigners(),
]);
console.log(`network ${networkName}: chain id ${chain.chainId}, block ${block}`);
if (signers.length > 0) {
  const balance = await ethers.provider.getBalance(signers[0].address);
  console.log(`account ${signers[0].address}: ${ethers.formatEther(balance)} ETH`);
}
