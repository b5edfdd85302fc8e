/**
 * SWC-105 (Unprotected Ether withdrawal) / SWC-106 (Unprotected SELFDESTRUCT) / SWC-100 (function
 * default visibility): access control on every state-changing function of every production contract.
 *
 * Table-driven: every external non-view function found in the compiled ABIs of `contracts/**` (test
 * doubles and interfaces excluded) must be classified below, as
 * - `role`: guarded by AccessControl; an outsider gets AccessControlUnauthorizedAccount(outsider, role);
 * - `gated`: guarded by the contract's own check (asset agent, device owner, order controller, the
 *   registry, the escrow, ...); an outsider gets the named custom error;
 * - `open`: permissionless by design, with the reason (signature-gated, caller-scoped, deadline-gated).
 * A new contract or a new external function without a classification FAILS the first test, so every
 * future entry point is reviewed here. The second test calls every gated function from an account
 * holding no role and asserts the exact revert.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { BaseContract, ParamType } from "ethers";
import type { Contract } from "ethers";
import { buildBid } from "../../client/src/eip712/maintenance.js";
import { policy, type OrderArgs } from "../maintenance/fixture.js";
import { Comparator } from "../../client/src/eip712/maintenance.js";
import { DAY, createOrder, deployWorld, ethTerms, freshAsset, rentEth } from "./world.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const hre = (await import("hardhat")).default;

type Kind = "role" | "gated" | "open";
interface Entry {
  kind: Kind;
  /** role: the role's name as a public constant of the contract (or DEFAULT_ADMIN_ROLE). */
  role?: string;
  /** gated: the custom error and the contract that defines it (default: the contract itself). */
  error?: string;
  /** gated: explicit arguments (default: generated from the ABI). */
  args?: (w: Fx) => Promise<unknown[]> | unknown[];
  /** open: why anyone may call it. */
  why?: string;
}

const OPEN_ERC20 = "ERC-20 holder-scoped (moves only the caller's balance / allowance); compliance checked inside";
const OPEN_ERC721 = "ERC-721 owner/approval-scoped; the registry's transfer hook refuses leased devices";
const RENOUNCE = "AccessControl: an account may only renounce its own role (callerConfirmation)";
const ADMIN = { kind: "role", role: "DEFAULT_ADMIN_ROLE" } as const;

/** AssetShares' functions: each asset's token is a clone running this code (the SharesBlueprint). */
const ASSET_SHARES: Record<string, Entry> = {
  "mint(address,uint256)": { kind: "gated", error: "NotAgent" },
  "burn(address,uint256)": { kind: "gated", error: "NotAgent" },
  "forcedTransfer(address,address,uint256)": { kind: "gated", error: "NotAgent" },
  "recover(address,address)": { kind: "gated", error: "NotAgent" },
  "setWalletFrozen(address,bool)": { kind: "gated", error: "NotAgent" },
  "freezePartial(address,uint256)": { kind: "gated", error: "NotAgent" },
  "unfreezePartial(address,uint256)": { kind: "gated", error: "NotAgent" },
  "setFrozenTokens(address,uint256)": { kind: "gated", error: "NotAgent" },
  "pause()": { kind: "gated", error: "NotAgent" },
  "unpause()": { kind: "gated", error: "NotAgent" },
  "setEligibilityRequired(bool)": { kind: "gated", error: "NotAgent" },
  "setCountryBlocked(uint16,bool)": { kind: "gated", error: "NotAgent" },
  "setMaxHolders(uint32)": { kind: "gated", error: "NotAgent" },
  "setInvestorCap(uint256)": { kind: "gated", error: "NotAgent" },
  "setLockup(uint64)": { kind: "gated", error: "NotAgent" },
  "setMintLockPeriod(uint64)": { kind: "gated", error: "NotAgent" },
  "addRule(address)": { kind: "gated", error: "NotAgent" },
  "removeRule(address)": { kind: "gated", error: "NotAgent" },
  "redeemFor(address)": { kind: "gated", error: "NotIncomeHooks" },
  "onAssetStatusChanged(uint8)": { kind: "gated", error: "NotRegistry" },
  "approve(address,uint256)": { kind: "open", why: OPEN_ERC20 },
  "transfer(address,uint256)": { kind: "open", why: OPEN_ERC20 },
  "transferFrom(address,address,uint256)": { kind: "open", why: OPEN_ERC20 },
  "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": {
    kind: "open",
    why: "EIP-2612: signature-gated by the owner's key, nonce-bound (front-running covered in attacks/front-running)",
  },
  "initialize(string,string,uint8,address)": {
    kind: "gated",
    error: "InvalidInitialization",
    args: () => ["n", "s", 0, ethers.ZeroAddress],
  },
};

/** The classification of every state-changing external function, per production contract. */
const TABLE: Record<string, Record<string, Entry>> = {
  DeviceRegistry: {
    "admitManufacturer(address,address)": ADMIN,
    "setManufacturerSigner(address,address)": ADMIN,
    "removeManufacturer(address)": ADMIN,
    "setFreshness(uint64,uint64)": ADMIN,
    "setAssetRegistry(address)": ADMIN,
    "grantRole(bytes32,address)": { kind: "role", role: "DEFAULT_ADMIN_ROLE", args: (f) => [f.role.LEASE, f.x] },
    "revokeRole(bytes32,address)": { kind: "role", role: "DEFAULT_ADMIN_ROLE", args: (f) => [f.role.LEASE, f.x] },
    "renounceRole(bytes32,address)": { kind: "open", why: RENOUNCE },
    "registerDevice((address,uint8,bytes32,bytes32,bytes32,bytes32,bytes32),bytes)": {
      kind: "open",
      why: "signature-gated: the admitted manufacturer's authority signs the EIP-712 RegisterDevice (attacks/signatures)",
    },
    "claim(uint256,address,uint64,bytes)": {
      kind: "open",
      why: "signature-gated: the device key signs Claim(deviceId, owner, nonce, deadline); the owner is bound",
    },
    "attest((uint256,uint32,uint64,uint64,bytes32,uint64,uint64),bytes)": {
      kind: "open",
      why: "signature-gated: the device key signs each attestation; relaying is harmless",
    },
    "attestBatch((uint256,uint32,uint64,uint64,bytes32,uint64,uint64)[],bytes[])": {
      kind: "open",
      why: "signature-gated per item, like attest",
    },
    "rotateKey(uint256,uint8,bytes32,bytes32,uint64,bytes)": {
      kind: "gated",
      error: "Unauthorized",
      args: (f) => [f.w.device.deviceId, 1, "0x" + "00".repeat(12) + "11".repeat(20), ethers.ZeroHash, 2n ** 40n, "0x"],
    },
    "suspend(uint256)": { kind: "gated", error: "Unauthorized", args: (f) => [f.w.device.deviceId] },
    "resume(uint256)": { kind: "gated", error: "Unauthorized", args: (f) => [f.suspendedDevice] },
    "decommission(uint256)": { kind: "gated", error: "Unauthorized", args: (f) => [f.w.device.deviceId] },
    "bindToAsset(uint256,uint256)": {
      kind: "gated",
      error: "Unauthorized",
      args: (f) => [f.w.device.deviceId, f.w.assetId + 1n],
    },
    "confirmBind(uint256,uint256)": {
      kind: "gated",
      error: "Unauthorized",
      args: (f) => [f.pendingBindDevice, f.w.assetId],
    },
    "unbind(uint256)": { kind: "gated", error: "Unauthorized", args: (f) => [f.w.device.deviceId] },
    "onDeviceTransfer(uint256,address,address)": {
      kind: "gated",
      error: "Unauthorized",
      args: (f) => [f.w.device.deviceId, f.w.operator.address, f.x],
    },
  },
  // ERC-7913 device keys: governance is the registry's DEFAULT_ADMIN_ROLE, checked by DeviceKeys.
  DeviceKeys: {
    "setVerifier(address,uint8)": { kind: "gated", error: "NotGovernance", args: (f) => [f.x, 1] },
    "admitKey(address,bytes)": {
      kind: "open",
      why: "checks key bytes for an allowlisted verifier; grants nothing: a device needs its manufacturer's registration",
    },
  },
  DeviceToken: {
    "mint(address,uint256)": { kind: "gated", error: "OnlyRegistry", args: (f) => [f.x, 12345n] },
    // The device lease (ERC-4907 user): the registry's LEASE_MANAGER_ROLE, checked by the token.
    "setUser(uint256,address,uint64)": {
      kind: "gated",
      error: "AccessControlUnauthorizedAccount",
      args: (f) => [f.w.device.deviceId, f.x, 2n ** 40n],
    },
    "approve(address,uint256)": { kind: "open", why: OPEN_ERC721 },
    "setApprovalForAll(address,bool)": { kind: "open", why: OPEN_ERC721 },
    "transferFrom(address,address,uint256)": { kind: "open", why: OPEN_ERC721 },
    "safeTransferFrom(address,address,uint256)": { kind: "open", why: OPEN_ERC721 },
    "safeTransferFrom(address,address,uint256,bytes)": { kind: "open", why: OPEN_ERC721 },
  },
  AssetRegistry: {
    "registerAsset(bytes32,uint8,bytes2,address,string)": { kind: "role", role: "ISSUER_ROLE" },
    "setLease(uint256,uint64)": { kind: "role", role: "LEASE_MANAGER_ROLE" },
    "retire(uint256)": { kind: "role", role: "BUYOUT_ROLE" },
    "setShares(uint256,address)": { kind: "role", role: "SHARE_FACTORY_ROLE" },
    "grantRole(bytes32,address)": ADMIN,
    "revokeRole(bytes32,address)": ADMIN,
    "renounceRole(bytes32,address)": { kind: "open", why: RENOUNCE },
    "proposeAgent(uint256,address)": { kind: "gated", error: "NotIssuer", args: (f) => [f.w.assetId, f.x] },
    "acceptAgent(uint256)": { kind: "gated", error: "NotPendingAgent", args: (f) => [f.w.assetId] },
    "setMetadataURI(uint256,string)": { kind: "gated", error: "NotAgent", args: (f) => [f.w.assetId, "ipfs://x"] },
    "addDocument(uint256,bytes32,string)": {
      kind: "gated",
      error: "NotAgent",
      args: (f) => [f.w.assetId, ethers.id("doc"), "x"],
    },
    "supersedeDocument(uint256,uint256,bytes32,string)": {
      kind: "gated",
      error: "NotAgent",
      args: (f) => [f.w.assetId, 0, ethers.id("doc"), "x"],
    },
    "setValuation(uint256,uint128,bytes3,address,uint64)": {
      kind: "gated",
      error: "NotAgent",
      args: (f) => [f.w.assetId, 1, "0x455552", f.x, 1],
    },
    "freezeAsset(uint256)": { kind: "gated", error: "NotAgentOrGovernance", args: (f) => [f.w.assetId] },
    "unfreezeAsset(uint256)": { kind: "gated", error: "NotAgentOrGovernance", args: (f) => [f.w.assetId] },
  },
  AssetShares: ASSET_SHARES,
  IdentityRegistry: {
    "setIdentity(address,uint16,uint64)": { kind: "role", role: "KYC_AGENT_ROLE" },
    "setIdentities(address[],uint16[],uint64[])": { kind: "role", role: "KYC_AGENT_ROLE" },
    "removeIdentity(address)": { kind: "role", role: "KYC_AGENT_ROLE" },
    "grantRole(bytes32,address)": ADMIN,
    "revokeRole(bytes32,address)": ADMIN,
    "renounceRole(bytes32,address)": { kind: "open", why: RENOUNCE },
  },
  ShareFactory: {
    "setIncomeHooks(address)": ADMIN,
    "grantRole(bytes32,address)": ADMIN,
    "revokeRole(bytes32,address)": ADMIN,
    "renounceRole(bytes32,address)": { kind: "open", why: RENOUNCE },
    "createShares(uint256,string,string,uint8)": {
      kind: "gated",
      error: "NotAgent",
      args: (f) => [f.w.assetId, "n", "s", 0],
    },
  },
  // The implementation the clones run (its own instance is never initialized; tested in assets/factory).
  SharesBlueprint: ASSET_SHARES,
  IncomeDistributor: {
    "setPayoutToken(address,bool)": ADMIN,
    "setProtocolFee(uint16)": ADMIN,
    "setMaxReserve(uint16)": ADMIN,
    "setFeeRecipient(address)": ADMIN,
    "sweepBuyoutDust(uint256,address)": ADMIN,
    "grantRole(bytes32,address)": ADMIN,
    "revokeRole(bytes32,address)": ADMIN,
    "renounceRole(bytes32,address)": { kind: "open", why: RENOUNCE },
    "withdrawReserve(uint256,address,uint256,address)": { kind: "role", role: "RESERVE_SPENDER_ROLE" },
    "setCustodians(address,address)": ADMIN,
    "depositHeld(uint256,address,uint256)": {
      kind: "gated",
      error: "NotController",
      args: (f) => [f.w.assetId, f.usdc, 1],
    },
    "setReserveRate(uint256,uint16)": { kind: "gated", error: "NotAgent", args: (f) => [f.w.assetId, 1] },
    "registerPayoutToken(uint256,address)": {
      kind: "gated",
      error: "NotAgent",
      args: (f) => [f.w.assetId, f.x],
    },
    "depositBuyout(uint256,address,uint256)": {
      kind: "gated",
      error: "NotAgent",
      args: (f) => [f.w.assetId, f.usdc, 1],
    },
    "claimFees(uint256,address,address)": {
      kind: "gated",
      error: "NotFeeRecipient",
      args: (f) => [f.w.assetId, f.usdc, f.x],
    },
    "onSharesTransfer(uint256,address,address,uint256)": {
      kind: "gated",
      error: "NotShareToken",
      args: (f) => [f.w.assetId, f.w.alice.address, f.x, 1],
    },
    "onRecovery(uint256,address,address)": {
      kind: "gated",
      error: "NotShareToken",
      args: (f) => [f.w.assetId, f.w.alice.address, f.x],
    },
    "deposit(uint256,address,uint256)": {
      kind: "open",
      why: "anyone may pay income in (pulled from the caller), only into the asset's registered tokens",
    },
    "depositFromSource(uint256,address,uint256)": {
      kind: "open",
      why: "anyone may pay income in: the caller's own callback pays it (IIncomeSource), into the asset's registered tokens",
    },
    "claim(uint256,address,address)": { kind: "open", why: "caller-scoped: pays only msg.sender's own accrual" },
    "redeem(uint256,address)": { kind: "open", why: "caller-scoped: burns and pays msg.sender's own shares" },
  },
  MaintenanceOrders: {
    "setTokenAllowed(address,bool)": ADMIN,
    "grantRole(bytes32,address)": ADMIN,
    "revokeRole(bytes32,address)": ADMIN,
    "renounceRole(bytes32,address)": { kind: "open", why: RENOUNCE },
    "accept(bytes32)": { kind: "gated", error: "NotProvider", args: (f) => [f.namedOrder] },
    "awardBid(bytes32,(bytes32,address,uint256,uint256,uint256,uint256),bytes)": {
      kind: "gated",
      error: "NotController",
      args: async (f) => [
        f.bidOrder,
        buildBid(f.bidOrder, f.x, 1n, 0n, 0n, BigInt((await networkHelpers.time.latest()) + DAY)),
        "0x",
      ],
    },
    "cancel(bytes32)": { kind: "gated", error: "NotController", args: (f) => [f.bidOrder] },
    "reissue(bytes32,address,uint40,uint40)": {
      kind: "gated",
      error: "NotController",
      args: async (f) => {
        const now = await networkHelpers.time.latest();
        return [f.cancelledOrder, f.x, now + DAY, now + 2 * DAY];
      },
    },
    "release(bytes32,uint8,uint16,uint16)": {
      kind: "gated",
      error: "NotEvidence",
      args: (f) => [f.optimisticOrder, 0, 0, 5_000],
    },
    "createOrder((uint256,uint256,address,uint256,uint256,address,uint40,uint40,bool,uint8,(address,uint8,bool,bool,uint8,uint8,uint32,uint64,uint32,uint32),address[],uint16[],bytes32))":
      {
        kind: "open",
        why: "the caller funds it (transferFrom); reserve funding is restricted to the asset's agent (NotAgent)",
      },
    "expire(bytes32)": {
      kind: "open",
      why: "deadline-gated: only after acceptBy / completeBy; money goes to fixed parties",
    },
    "withdrawBids(bytes32,uint256)": {
      kind: "open",
      why: "caller-scoped: raises only msg.sender's own bid floor for the order",
    },
  },
  MaintenanceEvidence: {
    "claimMilestone(bytes32,uint8)": { kind: "gated", error: "NotProvider", args: (f) => [f.optimisticOrder, 1] },
    "challenge(bytes32,uint8)": { kind: "gated", error: "NotController", args: (f) => [f.optimisticOrder, 0] },
    "rule(uint256,uint256)": { kind: "gated", error: "NotDisputeModule", args: (f) => [f.disputeId, 1] },
    "storeTerms(bytes32,uint256,(address,uint8,bool,bool,uint8,uint8,uint32,uint64,uint32,uint32),address[],uint16[])":
      { kind: "gated", error: "NotOrders" },
    "copyTerms(bytes32,bytes32)": { kind: "gated", error: "NotOrders" },
    "freezeDevice(bytes32,uint256,uint256)": { kind: "gated", error: "NotOrders" },
    "finalizeClaim(bytes32,uint8)": { kind: "open", why: "deadline-gated: only after an unchallenged window" },
    "submitDeviceEvidence(bytes32,uint8,uint256)": {
      kind: "open",
      why: "evidence read from the DeviceRegistry (device-signed); relaying is harmless",
    },
    "submitInspections(bytes32,(bytes32,uint8,bool,address,uint256,uint256)[],bytes[])": {
      kind: "open",
      why: "signature-gated: each verdict signed by an inspector named on the order",
    },
  },
  MaintenanceCustody: {
    "fund(uint256,address,address,uint256,bool)": { kind: "gated", error: "NotOrders" },
    "credit(address,uint256,address,uint256)": { kind: "gated", error: "NotOrders" },
    "creditReserve(uint256,address,uint256)": { kind: "gated", error: "NotOrders" },
    "claim(uint256,address,address)": { kind: "open", why: "caller-scoped: pays only msg.sender's claimable balance" },
    "returnToReserve(uint256,address)": {
      kind: "open",
      why: "moves reserve credit only to the distributor's deposit for that asset",
    },
  },
  AssetVault: {
    "pay(address,address,uint256)": { kind: "gated", error: "NotController" },
  },
  DisputeModule: {
    "rule(uint256,uint256)": { kind: "gated", error: "NotArbiter", args: (f) => [f.disputeId, 1] },
    "createDispute(bytes32,address,uint32,uint8)": {
      kind: "open",
      why: "caller-scoped: the caller becomes the dispute's arbitrable, the only contract its ruling reaches",
    },
    "resolveByTimeout(uint256)": {
      kind: "open",
      why: "deadline-gated: only from the deadline on, and only the default ruling fixed at creation",
    },
  },
  RentalMarket: {
    "setEscrow(address)": ADMIN,
    "setTokenAllowed(address,bool)": ADMIN,
    "setDefaultArbiter(address)": ADMIN,
    "setFeeRecipient(address)": ADMIN,
    "setProtocolFee(uint16)": ADMIN,
    "grantRole(bytes32,address)": ADMIN,
    "revokeRole(bytes32,address)": ADMIN,
    "renounceRole(bytes32,address)": { kind: "open", why: RENOUNCE },
    "publishOffer((uint256,uint256,address,uint8,uint32,uint32,uint128,uint128,uint128,uint128,uint128,uint64,uint32,uint32,uint32,uint32,uint32,uint16,address,uint32,uint32,uint32))":
      {
        kind: "gated",
        error: "NotSubjectOwner",
        args: (f) => [ethTerms(f.w.assetId)],
      },
    "cancelOffer(bytes32)": { kind: "gated", error: "NotOwner", args: (f) => [f.rent.offer] },
    "cancelNonce(uint256)": { kind: "open", why: "caller-scoped: cancels only msg.sender's own signed-offer nonce" },
    "rent(bytes32,uint256,uint256)": { kind: "open", why: "the renter pays deposit and prepayment itself" },
    "rentWithSignature(((uint256,uint256,address,uint8,uint32,uint32,uint128,uint128,uint128,uint128,uint128,uint64,uint32,uint32,uint32,uint32,uint32,uint16,address,uint32,uint32,uint32),address,address,uint256,uint64),bytes,uint256,uint256)":
      {
        kind: "open",
        why: "signature-gated: the subject owner's EIP-712 Offer (named renter, nonce, expiry)",
      },
  },
  RentalEscrow: {
    "storeTerms((uint256,uint256,address,uint8,uint32,uint32,uint128,uint128,uint128,uint128,uint128,uint64,uint32,uint32,uint32,uint32,uint32,uint16,address,uint32,uint32,uint32))":
      { kind: "gated", error: "NotMarket", args: (f) => [ethTerms(f.w.assetId)] },
    "open(bytes32,address,address,uint256,uint256)": { kind: "gated", error: "NotMarket" },
    "activate(bytes32)": { kind: "gated", error: "NotOwner", args: (f) => [f.rent.reserved] },
    "decline(bytes32)": { kind: "gated", error: "NotOwner", args: (f) => [f.rent.reserved] },
    "terminateEarly(bytes32)": { kind: "gated", error: "NotRenter", args: (f) => [f.rent.active] },
    "closeSettlement(bytes32,uint256)": { kind: "gated", error: "NotClaims", args: (f) => [f.rent.pending, 0n] },
    "topUp(bytes32,uint256)": { kind: "open", why: "anyone may add credit to an agreement (pays it itself)" },
    "payPeriod(bytes32,uint256)": { kind: "open", why: "anyone may pay rent for an agreement (pays it itself)" },
    "collect(bytes32)": { kind: "open", why: "books accrued rent to its fixed payee; no choice of recipient" },
    "settleMetered(bytes32)": { kind: "open", why: "charges device-signed readings from the DeviceRegistry" },
    "markDefault(bytes32)": { kind: "open", why: "only when the renter is in default past the grace period" },
    "settle(bytes32)": { kind: "open", why: "deadline-gated: only after the end" },
    "cancelReservation(bytes32)": { kind: "open", why: "deadline-gated: after the activation window, full refund" },
  },
  // Custody per asset: the distributor's first creation; only the distributor names the custodies.
  AssetVaults: {
    "setCustodians(address,address)": { kind: "gated", error: "NotController" },
    "createVault(uint256)": {
      kind: "open",
      why: "deploys an asset's vault at its fixed address with the fixed controllers; idempotent",
    },
  },
  RentalCustody: {
    "fund(uint256)": { kind: "gated", error: "NotEscrow" },
    "credit(address,uint256,address,uint256)": { kind: "gated", error: "NotEscrow" },
    "payIncome(uint256,address,uint256)": { kind: "gated", error: "NotEscrow" },
    "flushIncome(uint256,address)": { kind: "open", why: "retries the deposit to the distributor for that asset" },
    "withdraw(uint256,address)": { kind: "open", why: "caller-scoped: pays only msg.sender's claimable balance" },
    "withdrawTo(uint256,address,address)": {
      kind: "open",
      why: "caller-scoped: pays only msg.sender's claimable balance",
    },
  },
  RentalClaims: {
    "claimDamage(bytes32,uint256,bytes32)": {
      kind: "gated",
      error: "NotOwner",
      args: (f) => [f.rent.pending, 1n, ethers.ZeroHash],
    },
    "waiveClaim(bytes32)": { kind: "gated", error: "NotOwner", args: (f) => [f.rent.pending] },
    "acceptClaim(bytes32)": { kind: "gated", error: "NotRenter", args: (f) => [f.rent.pending] },
    "disputeClaim(bytes32)": { kind: "gated", error: "NotRenter", args: (f) => [f.rent.pending] },
    "rule(uint256,uint256)": { kind: "gated", error: "NotDisputeModule", args: (f) => [f.rent.disputeId, 1n] },
    "finalize(bytes32)": {
      kind: "open",
      why: "deadline-gated: outcome fixed by the terms' defaults (or a ruling already given)",
    },
  },
  RentalMeter: {
    "hold(bytes32,uint256,uint32,bool)": { kind: "gated", error: "NotEscrow" },
    "start(bytes32,uint256,uint32)": { kind: "gated", error: "NotEscrow" },
    "release(uint256,uint32)": { kind: "gated", error: "NotEscrow" },
    "settle(bytes32,uint256,uint32,uint256[2],uint256,uint256,bool)": {
      kind: "gated",
      error: "NotEscrow",
      args: () => [ethers.ZeroHash, 1n, 1, [1n, 1n], 0n, 1n, false],
    },
  },
  RentalTerms: {},
  ReadingKinds: {},
  // OpenZeppelin's stateless ERC-7913 verifiers: `verify` is a view, nothing to guard.
  WebAuthnVerifier: {},
  RsaVerifier: {},
};

/** Production contract names from the compiled artifacts (contracts/**, minus tests and interfaces). */
async function productionContracts(): Promise<string[]> {
  const names = await hre.artifacts.getAllFullyQualifiedNames();
  const out: string[] = [];
  for (const fq of names) {
    const [source, name] = fq.split(":");
    if (!source.startsWith("contracts/") || source.startsWith("contracts/test/")) continue;
    const artifact = await hre.artifacts.readArtifact(fq);
    if (artifact.bytecode === "0x" || artifact.bytecode === "") continue; // interfaces, abstract
    out.push(name);
  }
  return out.sort();
}

async function stateChanging(name: string): Promise<string[]> {
  const artifact = await hre.artifacts.readArtifact(name);
  const iface = new ethers.Interface(artifact.abi);
  const sigs: string[] = [];
  iface.forEachFunction((f) => {
    if (f.stateMutability !== "view" && f.stateMutability !== "pure") sigs.push(f.format("sighash"));
  });
  return sigs.sort();
}

/** A plausible value of `p` (never the outsider's privileges: addresses are the outsider's). */
function defaultArg(p: ParamType, x: string): unknown {
  if (p.baseType === "array") return [];
  if (p.baseType === "tuple") return p.components!.map((c) => defaultArg(c, x));
  if (p.type === "address") return x;
  if (p.type === "bool") return true;
  if (p.type === "string") return "x";
  if (p.type === "bytes") return "0x";
  if (p.type.startsWith("bytes")) return "0x" + "11".repeat(Number(p.type.slice(5)));
  return 1n;
}

async function fixture() {
  const w = await deployWorld(ethers);
  // Rental agreements in each state a gated function needs (one fresh asset each).
  const terms = async (label: string, t = {}) => ethTerms(await freshAsset(w, label), t);
  const pending = (await rentEth(w, w.alice, await terms("r-pending"))).agreementId;
  const disputed = (await rentEth(w, w.alice, await terms("r-disputed"))).agreementId;
  await networkHelpers.time.increase(DAY + 1);
  for (const a of [pending, disputed]) {
    await w.rental.settle(a);
    await w.rentalClaims.connect(w.agent).claimDamage(a, 1n, ethers.id("scratch"));
  }
  await w.rentalClaims.connect(w.alice).disputeClaim(disputed);
  const reserved = (await rentEth(w, w.alice, await terms("r-reserved", { activationWindow: DAY }))).agreementId;
  const activeRent = await rentEth(w, w.alice, await terms("r-active"));
  const rent = {
    pending,
    disputed,
    disputeId: await w.rentalClaims.disputeIdOf(disputed),
    reserved,
    active: activeRent.agreementId,
    offer: activeRent.offerId,
  };

  const usdc = await w.usdc.getAddress();
  const mk = async (salt: string, o: Partial<OrderArgs>) =>
    (await createOrder(w, w.alice, { salt: ethers.id(salt), ...o })).orderId;
  const namedOrder = await mk("named", {});
  const bidOrder = await mk("bids", { provider: ethers.ZeroAddress });
  const cancelledOrder = await mk("cancelled", {});
  await w.escrow.connect(w.alice).cancel(cancelledOrder);
  const optimisticOrder = await mk("optimistic", {
    deviceId: 0n,
    milestoneBps: [5_000, 5_000],
    policy: policy({
      useDevice: false,
      cmp: Comparator.None,
      optimistic: true,
      arbiter: w.arbiter.address,
      challengeWindow: DAY,
      disputeTimeout: 3 * DAY,
      defaultRuling: 1,
    }),
  });
  await w.escrow.connect(w.provider).accept(optimisticOrder);
  await w.evidence.connect(w.provider).claimMilestone(optimisticOrder, 0);
  const disputeId = await w.evidence.connect(w.alice).challenge.staticCall(optimisticOrder, 0);
  await w.evidence.connect(w.alice).challenge(optimisticOrder, 0);
  await w.evidence.connect(w.provider).claimMilestone(optimisticOrder, 1);

  // A device suspended by its operator (resume), one with a pending bind request (confirmBind).
  const { Secp256k1DeviceSigner } = await import("../../client/src/signers/devices.js");
  const { signedRegistration, signedClaim } = await import("../devices/helpers.js");
  const extra = [];
  for (const serial of ["SN-S", "SN-B"]) {
    const d = Secp256k1DeviceSigner.fromPrivateKey(ethers.Wallet.createRandom().privateKey);
    const { reg, sig } = await signedRegistration(w.ctx, d, w.mfrSigner, serial);
    await w.devices.registerDevice(reg, sig);
    const c = await signedClaim(w.ctx, d, w.operator.address);
    await w.devices.claim(c.msg.deviceId, c.msg.owner, c.msg.deadline, c.sig);
    extra.push(d.deviceId);
  }
  await w.devices.connect(w.gov).suspend(extra[0]);
  await w.devices.connect(w.operator).bindToAsset(extra[1], w.assetId);

  const role = { LEASE: await w.devices.LEASE_MANAGER_ROLE() };
  const vault = await w.custody.vaultOf(w.assetId);
  const instances: Record<string, BaseContract> = {
    DeviceRegistry: w.devices,
    DeviceToken: w.deviceToken,
    DeviceKeys: await ethers.getContractAt("DeviceKeys", await w.devices.deviceKeys()),
    AssetRegistry: w.assets,
    AssetShares: w.shares,
    SharesBlueprint: await ethers.getContractAt("SharesBlueprint", await w.shares.getAddress()),
    IdentityRegistry: w.identity,
    ShareFactory: w.factory,
    IncomeDistributor: w.distributor,
    AssetVaults: await ethers.getContractAt("AssetVaults", await w.distributor.vaults()),
    MaintenanceOrders: w.escrow,
    MaintenanceEvidence: w.evidence,
    MaintenanceCustody: w.custody,
    DisputeModule: w.disputes,
    // One AssetVault per asset, shared by the distributor and the two custodies: this asset's clone is checked here,
    // its controllers in test/income/custody.test.ts.
    AssetVault: await ethers.getContractAt("AssetVault", vault),
    RentalMarket: w.rentalMarket,
    RentalEscrow: w.rental,
    RentalCustody: w.rentalCustody,
    RentalClaims: w.rentalClaims,
    RentalMeter: w.rentalMeter,
  };
  return {
    w,
    x: w.outsider.address,
    usdc,
    role,
    rent,
    instances,
    namedOrder,
    bidOrder,
    cancelledOrder,
    optimisticOrder,
    disputeId,
    suspendedDevice: extra[0],
    pendingBindDevice: extra[1],
  };
}
type Fx = Awaited<ReturnType<typeof fixture>>;

describe("Attack class SWC-105/106 access control: every state-changing function is classified and guarded", function () {
  it("every production contract and every external state-changing function in its ABI is classified (a new one fails here until reviewed)", async function () {
    const contracts = await productionContracts();
    expect(contracts, "production contracts without a classification table").to.have.members(Object.keys(TABLE));
    for (const name of contracts) {
      const actual = await stateChanging(name);
      expect(actual, `${name}: unclassified or stale entries`).to.have.members(Object.keys(TABLE[name]));
      for (const [sig, e] of Object.entries(TABLE[name])) {
        if (e.kind === "open") expect(e.why, `${name}.${sig} open without a reason`).to.be.a("string").and.not.empty;
        if (e.kind === "role") expect(e.role, `${name}.${sig}`).to.be.a("string");
        if (e.kind === "gated") expect(e.error, `${name}.${sig}`).to.be.a("string");
      }
    }
  });

  for (const [name, fns] of Object.entries(TABLE)) {
    const gated = Object.entries(fns).filter(([, e]) => e.kind !== "open");
    if (gated.length === 0) continue;
    it(`${name}: an account without privileges is refused by each of its ${gated.length} guarded functions, with the exact error`, async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const target = f.instances[name] as unknown as Contract;
      const outsider = f.w.outsider;
      for (const [sig, e] of gated) {
        const fn = target.interface.getFunction(sig)!;
        const args = e.args ? await e.args(f) : fn.inputs.map((p) => defaultArg(p, f.x));
        const call = target.connect(outsider).getFunction(sig)(...args);
        if (e.kind === "role") {
          const roleId =
            e.role === "DEFAULT_ADMIN_ROLE" ? ethers.ZeroHash : await target.getFunction(e.role!).staticCall();
          await expect(call, `${name}.${sig}`)
            .to.be.revertedWithCustomError(target, "AccessControlUnauthorizedAccount")
            .withArgs(f.x, roleId);
        } else {
          await expect(call, `${name}.${sig}`).to.be.revertedWithCustomError(target, e.error!);
        }
      }
    });
  }

  it("an outsider holds none of the roles the table names", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    for (const [name, fns] of Object.entries(TABLE)) {
      const c = f.instances[name] as unknown as Contract | undefined;
      if (!c || !c.interface.getFunction("hasRole")) continue;
      for (const e of Object.values(fns)) {
        if (e.kind !== "role") continue;
        const roleId = e.role === "DEFAULT_ADMIN_ROLE" ? ethers.ZeroHash : await c.getFunction(e.role!).staticCall();
        expect(await c.hasRole(roleId, f.x), `${name} ${e.role}`).to.equal(false);
      }
    }
  });
});
