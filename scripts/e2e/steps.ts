/**
 * Steps of the e2e scenario, in order. Each step names the contracts it needs and uses the areas'
 * public scripts (scripts/<area>/*.ts exported functions) and client modules only.
 *
 * Accounts (Hardhat's default mnemonic, as in deploy/parameters/localhost.json):
 *   #0 deployer (no role), #1 governance, #2 KYC agent, #3 fee recipient, #4 manufacturer,
 *   #5 manufacturer signer, #6 asset agent / device operator, #7-#8 investors, #9 renter,
 *   #10 maintenance provider.
 */
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { DeploymentRecord } from "../deploy/lib.js";
import type { ContractName } from "../../deploy/suite.js";

export interface ScenarioContext {
  hre: HardhatRuntimeEnvironment;
  connection: NetworkConnection<string>;
  record: DeploymentRecord;
  addresses: Partial<Record<string, string>>;
  signers: HardhatEthersSigner[];
  /** What steps hand to later steps (asset id, device ids, ...). */
  state: Record<string, unknown>;
  log: (message: string) => void;
}

export interface Step {
  title: string;
  needs: ContractName[];
  run: (ctx: ScenarioContext) => Promise<void>;
}

export const ACCOUNTS = {
  deployer: 0,
  governance: 1,
  kycAgent: 2,
  feeRecipient: 3,
  manufacturer: 4,
  manufacturerSigner: 5,
  agent: 6,
  investorA: 7,
  investorB: 8,
  renter: 9,
  provider: 10,
} as const;

export const STEPS: Step[] = [
  {
    title: "governance wiring is in place (manufacturer admitted)",
    needs: ["DeviceRegistry"],
    run: async (ctx) => {
      const registry = await ctx.connection.ethers.getContractAt("DeviceRegistry", ctx.addresses.DeviceRegistry!);
      const manufacturer = ctx.signers[ACCOUNTS.manufacturer].address;
      const [active, signer] = (await registry.manufacturerOf(manufacturer)) as [boolean, string];
      expect(active, "manufacturer admitted").to.equal(true);
      expect(signer).to.equal(ctx.signers[ACCOUNTS.manufacturerSigner].address);
      ctx.log(`manufacturer ${manufacturer} admitted with signer ${signer}`);
    },
  },
];
