/**
 * Core operations on Plinth's maintenance part for its three kinds of users, shared by
 * `scripts/operator/maintenance/maintenance.ts` (the command line) and the tests:
 * - payer / asset agent: createAndFund, awardSignedBid, cancel, challenge, expire, claim;
 * - provider: acceptOrder, signProviderBid, claimMilestone, claim;
 * - inspector: signInspectionVerdict (anyone then submits it with submitInspections);
 * - the device (or its gateway): attestSelfTest signs the post-repair self-test with the device key
 *   and submits it to the DeviceRegistry's attest, which verifies it (the maintenance part never does);
 * - anyone: submitDeviceEvidence (points MaintenanceEvidence at the registry's stored reading),
 *   finalizeClaim, resolveByTimeout, expire, returnToReserve.
 * Every function takes MaintenanceOrders (`escrow`, the part's entry point) and reaches the
 * MaintenanceEvidence and MaintenanceCustody it created through `siblingsOf`. Payers and providers
 * approve the custody, where the money sits.
 * Every function checks the obvious preconditions first and throws a UserError with a sentence
 * (no stack trace is printed for those by the CLI); contract reverts are decoded to their custom error.
 */
import type { BaseContract, ContractTransactionResponse, Signer, TypedDataDomain } from "ethers";
import { AbiCoder, Contract, id, keccak256 } from "ethers";
import {
  OrderState,
  buildBid,
  buildInspection,
  bidDomain,
  inspectionDomain,
  signBid,
  signInspection,
  type Bid,
  type Inspection,
} from "../../../client/src/eip712/maintenance.js";
import {
  MaintenanceCustody__factory,
  MaintenanceEvidence__factory,
  type DeviceRegistry,
  type MaintenanceCustody,
  type MaintenanceEvidence,
  type MaintenanceOrders,
} from "../../../types/ethers-contracts/index.js";
import {
  attestationMessage,
  deviceDigest,
  deviceDomain,
  type Attestation,
} from "../../../client/src/eip712/devices.js";
import type { DeviceSigner } from "../../../client/src/signers/devices.js";
import { describeRevertData, mined, revertDataOf, TransactionFailedError, UserError } from "../../lib/cli.js";
import { ERC20_ABI } from "../../lib/erc20.js";

/** An error caused by the user's input or the chain's state, printed without a stack trace. */
export { UserError };

export const STATE_NAMES = Object.fromEntries(Object.entries(OrderState).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

/** Terms of a new order, as the CLI and tests pass them (amounts in token base units). */
export interface NewOrder {
  assetId: bigint;
  deviceId: bigint;
  token: string;
  budget: bigint;
  bond: bigint;
  provider: string;
  acceptBy: number;
  completeBy: number;
  fromReserve: boolean;
  slashTo: number;
  policy: {
    arbiter: string;
    k: number;
    useDevice: boolean;
    optimistic: boolean;
    cmp: number;
    defaultRuling: number;
    kind: number;
    threshold: bigint;
    challengeWindow: number;
    disputeTimeout: number;
  };
  inspectors: string[];
  milestoneBps: number[];
  salt: string;
}

/**
 * Turns a revert into a readable UserError naming the contract's custom error and its arguments,
 * decoded from the revert data alone (whatever the node's wording). A transaction mined with
 * status 0 (anvil, public chains) says so.
 */
export function explain(contract: BaseContract, err: unknown): Error {
  const data = revertDataOf(err);
  if (data !== undefined) {
    const mined = err instanceof TransactionFailedError ? ` (${err.detail})` : "";
    return new UserError(`the contract refused: ${describeRevertData(data, [contract.interface])}${mined}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Sends a transaction and waits for it; a revert, refused while sending or mined with status 0,
 * becomes a UserError naming the custom error.
 */
export async function sendTx(escrow: BaseContract, call: () => Promise<ContractTransactionResponse>) {
  try {
    return await mined(call(), { interfaces: [escrow.interface] });
  } catch (err) {
    throw explain(escrow, err);
  }
}

async function ensureAllowance(token: string, owner: Signer, spender: string, amount: bigint) {
  const erc20 = new Contract(token, ERC20_ABI, owner);
  const who = await owner.getAddress();
  const balance: bigint = await erc20.balanceOf(who);
  if (balance < amount) throw new UserError(`${who} holds ${balance} of ${token}, needs ${amount}`);
  const allowance: bigint = await erc20.allowance(who, spender);
  if (allowance < amount) await mined(erc20.approve(spender, amount) as Promise<ContractTransactionResponse>);
}

/** The order id createOrder will assign: keccak256(abi.encode(creator, salt)). */
export function orderIdOf(creator: string, salt: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [creator, salt]));
}

/**
 * The id of a milestone's dispute on the escrow's dispute module (DisputeModule.disputeIdOf):
 * keccak256(abi.encode(escrow, keccak256(abi.encode(orderId, milestone, round)))).
 */
export function disputeIdOf(escrow: string, orderId: string, milestone: number, round: number): bigint {
  const coder = AbiCoder.defaultAbiCoder();
  const key = keccak256(coder.encode(["bytes32", "uint8", "uint16"], [orderId, milestone, round]));
  return BigInt(keccak256(coder.encode(["address", "bytes32"], [escrow, key])));
}

/**
 * Payer or agent: creates the order and funds it (payer: approves and transfers the budget;
 * agent with `fromReserve`: the escrow pulls it from the asset's maintenance reserve).
 */
export async function createAndFund(escrow: MaintenanceOrders, creator: Signer, order: NewOrder) {
  if (!(await escrow.tokenAllowed(order.token))) throw new UserError(`token ${order.token} is not allowlisted`);
  const custody = await escrow.custody();
  if (!order.fromReserve) await ensureAllowance(order.token, creator, custody, order.budget);
  const e = escrow.connect(creator);
  let orderId: string;
  try {
    orderId = await e.createOrder.staticCall(order);
  } catch (err) {
    throw explain(escrow, err);
  }
  const receipt = await sendTx(escrow, () => e.createOrder(order));
  return { orderId, receipt };
}

/** Provider: accepts a named order, approving the bond first. */
export async function acceptOrder(escrow: MaintenanceOrders, provider: Signer, orderId: string) {
  const o = await requireOrder(escrow, orderId);
  const me = await provider.getAddress();
  if (o.state !== BigInt(OrderState.Open)) throw new UserError(`order is ${STATE_NAMES[Number(o.state)]}, not Open`);
  if (o.provider.toLowerCase() !== me.toLowerCase())
    throw new UserError(`order names provider ${o.provider}, not ${me}`);
  if (o.bond > 0n) await ensureAllowance(o.token, provider, await escrow.custody(), o.bond);
  return sendTx(escrow, () => escrow.connect(provider).accept(orderId));
}

/** The MaintenanceEvidence and MaintenanceCustody that `escrow` (MaintenanceOrders) created. */
export async function siblingsOf(
  escrow: MaintenanceOrders,
): Promise<{ evidence: MaintenanceEvidence; custody: MaintenanceCustody }> {
  return {
    evidence: MaintenanceEvidence__factory.connect(await escrow.evidence(), escrow.runner),
    custody: MaintenanceCustody__factory.connect(await escrow.custody(), escrow.runner),
  };
}

/** The EIP-712 domain providers sign bids under (MaintenanceOrders') on its chain. */
export async function domainOf(escrow: MaintenanceOrders): Promise<TypedDataDomain> {
  const chainId = (await escrow.runner!.provider!.getNetwork()).chainId;
  return bidDomain(chainId, await escrow.getAddress());
}

/** The EIP-712 domain inspectors sign verdicts under (MaintenanceEvidence') on its chain. */
export async function inspectionDomainOf(escrow: MaintenanceOrders): Promise<TypedDataDomain> {
  const chainId = (await escrow.runner!.provider!.getNetwork()).chainId;
  return inspectionDomain(chainId, await escrow.evidence());
}

/** Provider: signs a bid (and approves the bond so the award can pull it). */
export async function signProviderBid(
  escrow: MaintenanceOrders,
  provider: Signer,
  orderId: string,
  price: bigint,
  bond: bigint,
  validFor: number,
): Promise<{ bid: Bid; signature: string }> {
  const o = await requireOrder(escrow, orderId);
  if (price > o.budget) throw new UserError(`price ${price} exceeds the budget ${o.budget}`);
  if (bond < o.bond) throw new UserError(`bond ${bond} is under the order's minimum ${o.bond}`);
  if (bond > 0n) await ensureAllowance(o.token, provider, await escrow.custody(), bond);
  const now = await latestTimestamp(escrow);
  const bid = buildBid(orderId, await provider.getAddress(), price, bond, BigInt(now), BigInt(now + validFor));
  return { bid, signature: await signBid(provider, await domainOf(escrow), bid) };
}

/**
 * Provider: withdraws every bid it issued for `orderId` before `issuedBefore` (default: the latest
 * block's time + 1, i.e. every bid signed so far), so the controller cannot award an older bid after
 * a revised one.
 */
export async function withdrawProviderBids(
  escrow: MaintenanceOrders,
  provider: Signer,
  orderId: string,
  issuedBefore?: bigint,
) {
  const before = issuedBefore ?? BigInt((await latestTimestamp(escrow)) + 1);
  return sendTx(escrow, () => escrow.connect(provider).withdrawBids(orderId, before));
}

/** Controller (payer or agent): awards the order to a signed bid. */
export async function awardSignedBid(escrow: MaintenanceOrders, controller: Signer, bid: Bid, signature: string) {
  return sendTx(escrow, () => escrow.connect(controller).awardBid(bid.orderId, bid, signature));
}

/**
 * Inspector: signs a verdict on a milestone (valid for `validFor` seconds), issued at the latest
 * block's time (at least one second after the order's acceptance). It replaces the inspector's
 * verdict on record once submitted; older verdicts of the same inspector are then refused.
 */
export async function signInspectionVerdict(
  escrow: MaintenanceOrders,
  inspector: Signer,
  orderId: string,
  milestone: number,
  passed: boolean,
  validFor: number,
  inspectorAddress?: string,
): Promise<{ inspection: Inspection; signature: string }> {
  const o = await requireOrder(escrow, orderId);
  if (milestone >= Number(o.milestoneCount)) throw new UserError(`milestone ${milestone} does not exist`);
  const who = inspectorAddress ?? (await inspector.getAddress());
  const { evidence } = await siblingsOf(escrow);
  const listed = (await evidence.getInspectors(orderId)).map((a: string) => a.toLowerCase());
  if (!listed.includes(who.toLowerCase())) throw new UserError(`${who} is not an inspector of this order`);
  const now = await latestTimestamp(escrow);
  const issuedAt = BigInt(Math.max(now, Number(o.acceptedAt) + 1));
  const inspection = buildInspection(orderId, milestone, passed, who, issuedAt, BigInt(now + validFor));
  return { inspection, signature: await signInspection(inspector, await inspectionDomainOf(escrow), inspection) };
}

/** Anyone: submits inspectors' signed verdicts. */
export async function submitInspections(
  escrow: MaintenanceOrders,
  sender: Signer,
  items: { inspection: Inspection; signature: string }[],
) {
  const { evidence } = await siblingsOf(escrow);
  return sendTx(evidence, () =>
    evidence.connect(sender).submitInspections(
      items[0].inspection.orderId,
      items.map((i) => i.inspection),
      items.map((i) => i.signature),
    ),
  );
}

/**
 * Anyone: counts the order's device's latest reading (already verified and stored by the device
 * registry's attest) as evidence for `milestone`.
 */
export async function submitDeviceEvidence(
  escrow: MaintenanceOrders,
  sender: Signer,
  orderId: string,
  milestone: number,
) {
  const o = await requireOrder(escrow, orderId);
  if (o.deviceId === 0n) throw new UserError("this order has no device");
  const { evidence } = await siblingsOf(escrow);
  return sendTx(evidence, () => evidence.connect(sender).submitDeviceEvidence(orderId, milestone, o.deviceId));
}

/**
 * The device (or its gateway): signs a self-test reading (`kind`, `value`) with the device's key,
 * with the next counter and the latest block time, and submits it to the DeviceRegistry's attest.
 * The registry verifies the signature (secp256k1 or P-256) and stores the reading.
 */
export async function attestSelfTest(
  registry: DeviceRegistry,
  sender: Signer,
  device: DeviceSigner,
  kind: number,
  value: bigint,
): Promise<Attestation> {
  const deviceId = device.deviceId;
  if ((await registry.statusOf(deviceId)) !== 1n)
    throw new UserError(`device ${deviceId} is not Active in the registry`);
  const counter = (await registry.lastCounter(deviceId)) + 1n;
  const block = await registry.runner!.provider!.getBlock("latest");
  const chainId = (await registry.runner!.provider!.getNetwork()).chainId;
  const att = attestationMessage({
    deviceId,
    kind,
    value,
    odometer: (await registry.latestReading(deviceId, kind)).odometer, // a self-test code is not additive
    payloadHash: id(`self-test kind ${kind} value ${value}`),
    counter,
    timestamp: block!.timestamp,
  });
  const signature = await device.signDigest(
    deviceDigest(deviceDomain(chainId, await registry.getAddress()), "Attestation", att),
  );
  try {
    await mined(registry.connect(sender).attest(att, signature), { interfaces: [registry.interface] });
  } catch (err) {
    throw explain(registry, err);
  }
  return att;
}

/** Anyone: ends an order past its deadline (refund, or refund + slash). */
export async function expireOrder(escrow: MaintenanceOrders, sender: Signer, orderId: string) {
  return sendTx(escrow, () => escrow.connect(sender).expire(orderId));
}

/**
 * Any party: withdraws its claimable balance of `token` credited by `assetId`'s orders (to itself
 * unless `to` is given).
 */
export async function claimBalance(
  escrow: MaintenanceOrders,
  party: Signer,
  assetId: bigint,
  token: string,
  to?: string,
) {
  const me = await party.getAddress();
  const { custody } = await siblingsOf(escrow);
  const amount = await custody.claimable(me, assetId, token);
  if (amount === 0n) throw new UserError(`${me} has nothing to claim in ${token} from asset ${assetId}`);
  await sendTx(custody, () => custody.connect(party).claim(assetId, token, to ?? me));
  return amount;
}

/** A readable summary of an order. */
export async function describeOrder(escrow: MaintenanceOrders, orderId: string) {
  const o = await requireOrder(escrow, orderId);
  const { evidence } = await siblingsOf(escrow);
  const milestones = [];
  for (let i = 0; i < Number(o.milestoneCount); i++) {
    const m = await evidence.getMilestone(orderId, i);
    milestones.push({
      index: i,
      bps: Number(m.endBps - m.startBps),
      released: m.released,
      agreeing: popcount(Number(m.passBits)),
      claim: Number(m.claim),
    });
  }
  return {
    orderId,
    state: STATE_NAMES[Number(o.state)],
    payer: o.payer,
    provider: o.provider,
    token: o.token,
    budget: o.budget,
    price: o.price,
    bond: o.bond,
    released: o.released,
    acceptBy: Number(o.acceptBy),
    completeBy: Number(o.completeBy),
    milestones,
  };
}

async function requireOrder(escrow: MaintenanceOrders, orderId: string) {
  const o = await escrow.getOrder(orderId);
  if (o.state === 0n) throw new UserError(`no order ${orderId} on MaintenanceOrders ${await escrow.getAddress()}`);
  return o;
}

async function latestTimestamp(escrow: MaintenanceOrders): Promise<number> {
  const block = await escrow.runner!.provider!.getBlock("latest");
  if (!block) throw new UserError("cannot read the latest block");
  return block.timestamp;
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}
