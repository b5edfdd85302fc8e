/**
 * Gas of the maintenance part's main operations (whole-transaction gasUsed: MaintenanceOrders, the
 * MaintenanceEvidence and MaintenanceCustody it creates, and the suite's DisputeModule), on the real
 * AssetRegistry and DeviceRegistry. The income distributor is a test double; none of the measured
 * operations touches it (they are payer-funded).
 */
import type { AreaBench } from "./types.js";
import {
  Comparator,
  buildInspection,
  inspectionDomain,
  signInspection,
} from "../../../client/src/eip712/maintenance.js";
import { attestationMessage, deviceDigest } from "../../../client/src/eip712/devices.js";
import { deterministicDeviceSigner } from "../../../client/src/signers/devices.js";
import { deployWithManufacturer, registryDomain, sendClaim, sendRegistration } from "../../operator/devices/lib.js";

export const bench: AreaBench = async (connection) => {
  const { ethers } = connection;
  const [gov, agent, payer, provider, inspector1, inspector2, walletOwner, issuer] = await ethers.getSigners();
  const token = await ethers.deployContract("MockPayoutToken", ["Test USD", "TUSD", 18]);
  const assets = await ethers.deployContract("AssetRegistry", [gov.address]);
  await assets.connect(gov).grantRole(await assets.ISSUER_ROLE(), issuer.address);
  const ASSET = await assets
    .connect(issuer)
    .registerAsset.staticCall(ethers.id("bench"), 0, "0x4652", agent.address, "");
  await assets.connect(issuer).registerAsset(ethers.id("bench"), 0, "0x4652", agent.address, "");
  const devices = await deployWithManufacturer(ethers, gov);
  const deviceDomain = await registryDomain(devices);
  const device = deterministicDeviceSigner(ethers.id("maintenance-bench"), 0, "p256");
  await (await sendRegistration(devices, deviceDomain, gov.address, gov, device, "SN-BENCH")).wait();
  const dayAhead = BigInt((await ethers.provider.getBlock("latest"))!.timestamp + 86_400);
  await (await sendClaim(devices, deviceDomain, device, agent.address, dayAhead)).wait();
  await devices.connect(agent).bindToAsset(device.deviceId, ASSET);
  const DEVICE = device.deviceId;
  const KIND = 3;
  let counter = 0;
  const selfTest = async (value: number) => {
    const att = attestationMessage({
      deviceId: DEVICE,
      kind: KIND,
      value,
      odometer: 0, // a self-test code is not additive
      counter: ++counter,
      timestamp: (await ethers.provider.getBlock("latest"))!.timestamp,
    });
    await (await devices.attest(att, await device.signDigest(deviceDigest(deviceDomain, "Attestation", att)))).wait();
  };
  const distributor = await ethers.deployContract("MockIncomeDistributor", [gov.address, false]);
  const disputes = await ethers.deployContract("DisputeModule");
  const escrow = await ethers.deployContract("MaintenanceOrders", [
    gov.address,
    await assets.getAddress(),
    await devices.getAddress(),
    await distributor.getAddress(),
    await disputes.getAddress(),
  ]);
  const evidence = await ethers.getContractAt("MaintenanceEvidence", await escrow.evidence());
  const custody = await ethers.getContractAt("MaintenanceCustody", await escrow.custody());
  const wallet = await ethers.deployContract("MockERC1271Wallet", [walletOwner.address]);
  const e = await custody.getAddress();
  const t = await token.getAddress();
  await selfTest(0); // history before any order
  await distributor.grantRole(await distributor.RESERVE_SPENDER_ROLE(), e);
  await distributor.setCustodians(e, ethers.ZeroAddress);
  await escrow.connect(gov).setTokenAllowed(t, true);
  for (const s of [payer, provider, agent]) {
    await token.mint(s.address, 10n ** 30n);
    await token.connect(s).approve(e, ethers.MaxUint256);
  }
  const domain = inspectionDomain((await ethers.provider.getNetwork()).chainId, await evidence.getAddress());
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);
  const now = async () => (await ethers.provider.getBlock("latest"))!.timestamp;

  let n = 0;
  const params = async (over: Record<string, unknown> = {}) => {
    const ts = await now();
    return {
      assetId: ASSET,
      deviceId: DEVICE,
      token: t,
      budget: 10n ** 21n,
      bond: 10n ** 20n,
      provider: provider.address,
      acceptBy: ts + 86_400,
      completeBy: ts + 7 * 86_400,
      fromReserve: false,
      slashTo: 0,
      policy: {
        arbiter: ethers.ZeroAddress,
        k: 1,
        useDevice: true,
        optimistic: false,
        cmp: Comparator.EQ,
        defaultRuling: 0,
        kind: KIND,
        threshold: 0n,
        challengeWindow: 0,
        disputeTimeout: 0,
      },
      inspectors: [] as string[],
      milestoneBps: [] as number[],
      salt: ethers.id(`bench-${n++}`),
      ...over,
    };
  };
  const createAndFund = async (over: Record<string, unknown> = {}) => {
    const p = await params(over);
    const id = await escrow.connect(payer).createOrder.staticCall(p);
    const gas = await gasOf(escrow.connect(payer).createOrder(p));
    return { id, gas, p };
  };

  // The asset's first order also deploys its vault clone.
  const first = await createAndFund();
  // Device-proven order (k = 1 of {device}), the asset's vault existing.
  const dev = await createAndFund();
  const acceptGas = await gasOf(escrow.connect(provider).accept(dev.id));
  await ethers.provider.send("evm_increaseTime", [60]);
  await ethers.provider.send("evm_mine", []);
  await selfTest(0); // the post-repair self-test, verified by the registry (P-256)
  const deviceGas = await gasOf(evidence.submitDeviceEvidence(dev.id, 0, DEVICE));

  // 2-of-3 inspectors (two EOAs and an ERC-1271 wallet), both signatures in one call.
  const insp = await createAndFund({
    inspectors: [inspector1.address, inspector2.address, await wallet.getAddress()],
    policy: { ...(await params()).policy, useDevice: false, cmp: Comparator.None, k: 2 },
  });
  await escrow.connect(provider).accept(insp.id);
  const deadline = BigInt((await now()) + 86_400);
  const issuedAt = BigInt((await now()) + 1); // after acceptance
  const a = buildInspection(insp.id, 0, true, inspector1.address, issuedAt, deadline);
  const w = buildInspection(insp.id, 0, true, await wallet.getAddress(), issuedAt, deadline);
  const inspGas = await gasOf(
    evidence.submitInspections(
      insp.id,
      [a, w],
      [await signInspection(inspector1, domain, a), await signInspection(walletOwner, domain, w)],
    ),
  );

  // Refund after the accept-by deadline.
  const late = await createAndFund();
  await ethers.provider.send("evm_increaseTime", [86_401]);
  await ethers.provider.send("evm_mine", []);
  const refundGas = await gasOf(escrow.expire(late.id));

  // Default after complete-by (refund + slash).
  const slow = await createAndFund();
  await escrow.connect(provider).accept(slow.id);
  await ethers.provider.send("evm_increaseTime", [7 * 86_400 + 1]);
  await ethers.provider.send("evm_mine", []);
  const defaultGas = await gasOf(escrow.expire(slow.id));
  const claimGas = await gasOf(custody.connect(payer).claim(ASSET, t, payer.address));

  return {
    gas: {
      "maintenance.createAndFund": dev.gas,
      "maintenance.createAndFund.firstOnAsset": first.gas,
      "maintenance.createAndFund.inspectors3": insp.gas,
      "maintenance.accept": acceptGas,
      "maintenance.completeByDevice": deviceGas,
      "maintenance.completeByInspectors.2of3": inspGas,
      "maintenance.refundAfterDeadline": refundGas,
      "maintenance.refundAfterDeadline.slash": defaultGas,
      "maintenance.claim": claimGas,
    },
    notes: [
      "Real AssetRegistry and DeviceRegistry (the device is P-256; its self-test is attested through the registry before completeByDevice, which only reads the stored reading). The income distributor is a test double (not touched by these operations).",
      "createAndFund: payer-funded, device policy, one milestone, into the asset's existing vault (pulls the budget with a balance-diff check); .firstOnAsset also deploys the asset's vault clone; .inspectors3 names three inspectors.",
      "completeByInspectors.2of3: one submitInspections call with an EOA signature and an ERC-1271 wallet signature, releasing the order.",
      "Since issue 15 the maintenance part is three contracts (MaintenanceOrders, MaintenanceEvidence, MaintenanceCustody) instead of one escrow and a linked library, and every key but claim is 5-15% dearer than before the split; this is the price of the split, paid in cross-contract calls and one storage slot. createAndFund (+22.4k): MaintenanceEvidence keeps an order's milestone and inspector counts and its evidence progress in a slot of its own (a fresh 20k write; in one contract they shared the order's slots), and the order crosses to the evidence (terms) and to the custody (funding). accept (+4.5k) and refundAfterDeadline (+3.8k): one cold call to a sibling (device freeze on the evidence, credit on the custody) where a library delegatecall or nothing used to be. completeByDevice (+9.1k) and completeByInspectors.2of3 (+9.9k): the evidence reads the order's window on MaintenanceOrders, which pays through the custody (price and bond credits). refundAfterDeadline.slash (+9.2k): the orders ask the evidence for pending claims and the device rule, then credit the refund and the slashed bond on the custody. claim is unchanged (it never leaves the custody).",
      "refundAfterDeadline: Open order past accept-by; .slash: Active order past complete-by (unreleased budget refunded, bond slashed to the payer). Refunds are claimable balances (maintenance.claim).",
    ],
  };
};
