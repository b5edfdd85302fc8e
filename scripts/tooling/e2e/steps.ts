/**
 * The e2e scenario's steps, in order. Each step names the contracts it needs (skipped when one is not
 * deployed) and drives the suite through the areas' public scripts (exported functions of
 * scripts/<area>/) and the client's EIP-712 modules, as an operator or a dApp would; it reads the
 * chain to check every outcome. Parts plug in by adding their step module here.
 */
import type { Step } from "./steps/context.js";
import { installStablecoin } from "./steps/setup.js";
import { onboardAndMint, tokenizeAsset } from "./steps/assets.js";
import { registerDevices, streamAttestations } from "./steps/devices.js";
import { claimIncomeProRata, configureIncome, distributeIncome } from "./steps/income.js";
import { rentMetered } from "./steps/rental.js";
import { maintenanceByDevice } from "./steps/maintenance.js";
import { refusedWithReason } from "./steps/refusals.js";

export type { ScenarioContext, Step } from "./steps/context.js";

export const STEPS: Step[] = [
  installStablecoin,
  tokenizeAsset,
  onboardAndMint,
  registerDevices,
  streamAttestations,
  configureIncome,
  rentMetered,
  distributeIncome,
  claimIncomeProRata,
  maintenanceByDevice,
  refusedWithReason,
];
