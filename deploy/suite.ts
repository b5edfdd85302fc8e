/**
 * The Plinth suite as data: its contracts (per part, with constructor arguments), the governance
 * actions that wire them together (role grants and settings), and the Ignition modules built from
 * both. One source of truth for the deploy script (Ignition modules), the roles check (expected
 * holders) and the Safe batch written when governance is not a deployer account.
 *
 * Parts: devices (DeviceRegistry, which creates DeviceKeys, and the ERC-7913 WebAuthnVerifier and RsaVerifier that DeviceKeys allowlists), assets (IdentityRegistry, AssetRegistry), income
 * (IncomeDistributor), shares (SharesBlueprint, ShareFactory), disputes (DisputeModule), rental
 * (RentalMarket, RentalEscrow, which creates RentalCustody, RentalClaims and RentalMeter), maintenance
 * (MaintenanceOrders, which creates MaintenanceEvidence and MaintenanceCustody). A part is deployed
 * when its artifacts exist (so the suite grows as parts land) and all parts it needs are deployed.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, CallableContractFuture, IgnitionModule } from "@nomicfoundation/ignition-core";
import { ZeroAddress, ZeroHash, id } from "ethers";
import type { PlinthParameters } from "./config.js";

/** Role ids (bytes32) used by the suite. */
export const ROLES = {
  DEFAULT_ADMIN_ROLE: ZeroHash,
  LEASE_MANAGER_ROLE: id("LEASE_MANAGER_ROLE"),
  BUYOUT_ROLE: id("BUYOUT_ROLE"),
  RESERVE_SPENDER_ROLE: id("RESERVE_SPENDER_ROLE"),
  KYC_AGENT_ROLE: id("KYC_AGENT_ROLE"),
  ISSUER_ROLE: id("ISSUER_ROLE"),
  SHARE_FACTORY_ROLE: id("SHARE_FACTORY_ROLE"),
} as const;
export type RoleName = keyof typeof ROLES;

/** The address of another suite contract, resolved at deployment. */
export interface Ref {
  ref: ContractName;
}
/** A constructor or call argument: a literal, or another contract's address. */
export type Arg = string | number | bigint | boolean | Ref | Arg[];

export type PartName = "devices" | "assets" | "income" | "shares" | "disputes" | "rental" | "maintenance";
export type ContractName =
  | "DeviceRegistry"
  | "DeviceKeys"
  | "WebAuthnVerifier"
  | "RsaVerifier"
  | "IdentityRegistry"
  | "AssetRegistry"
  | "SharesBlueprint"
  | "ShareFactory"
  | "IncomeDistributor"
  | "AssetVaults"
  | "RentalMarket"
  | "RentalEscrow"
  | "RentalCustody"
  | "RentalClaims"
  | "RentalMeter"
  | "DisputeModule"
  | "MaintenanceOrders"
  | "MaintenanceEvidence"
  | "MaintenanceCustody";

export interface ContractSpec {
  name: ContractName;
  part: PartName;
  args: (p: PlinthParameters) => Arg[];
  /** A Solidity library (deployed like a contract, linked into the contracts that name it). */
  library?: boolean;
  /** Who holds DEFAULT_ADMIN_ROLE: governance (default) or the contract itself (a module). */
  admin?: "governance" | "self";
  /** false for a contract without AccessControl (nothing for the roles check). */
  roles?: boolean;
  /**
   * Set for a contract another contract's constructor creates (CREATE at that contract's `nonce`): it is
   * not deployed on its own; its address is read from the creator's `getter` view.
   */
  createdBy?: { contract: ContractName; getter: string; nonce: number };
  /** Libraries linked into this contract's bytecode (deployed before it, in the same part). */
  libraries?: ContractName[];
}

export interface PartSpec {
  name: PartName;
  /** Ignition module id of the part. */
  moduleId: string;
  /** Parts whose contracts this part's constructors reference. */
  needs: PartName[];
}

const ref = (name: ContractName): Ref => ({ ref: name });

export const PARTS: readonly PartSpec[] = [
  { name: "devices", moduleId: "Devices", needs: [] },
  { name: "assets", moduleId: "Assets", needs: [] },
  { name: "income", moduleId: "Income", needs: ["assets"] },
  // The share factory gives every share token the income distributor at creation (constructor
  // argument): no token can ever exist without income hooks, so it comes after the distributor.
  { name: "shares", moduleId: "Shares", needs: ["assets", "income"] },
  // The one dispute module both escrows open disputes on (rental damage claims, maintenance milestone claims).
  { name: "disputes", moduleId: "Disputes", needs: [] },
  { name: "rental", moduleId: "Rental", needs: ["devices", "assets", "income", "disputes"] },
  { name: "maintenance", moduleId: "Maintenance", needs: ["devices", "assets", "income", "disputes"] },
];

/** Contracts in deployment order, with their constructor arguments. */
export const CONTRACTS: readonly ContractSpec[] = [
  { name: "DeviceRegistry", part: "devices", args: (p) => [p.governance] },
  // Created by DeviceRegistry's constructor (after DeviceToken): ERC-7913 verifier allowlist and key admission.
  // Governance is the registry's admin; it has no roles of its own.
  {
    name: "DeviceKeys",
    part: "devices",
    args: () => [],
    roles: false,
    createdBy: { contract: "DeviceRegistry", getter: "deviceKeys", nonce: 2 },
  },
  // OpenZeppelin's stateless ERC-7913 verifiers (contracts/devices/verifiers/): passkeys and TPM RSA keys.
  { name: "WebAuthnVerifier", part: "devices", args: () => [], roles: false },
  { name: "RsaVerifier", part: "devices", args: () => [], roles: false },
  { name: "IdentityRegistry", part: "assets", args: (p) => [p.governance] },
  { name: "AssetRegistry", part: "assets", args: (p) => [p.governance] },
  {
    name: "IncomeDistributor",
    part: "income",
    args: (p) => [ref("AssetRegistry"), p.governance, p.feeRecipient, p.protocolFeeBps, p.maxReserveBps],
  },
  // Created by IncomeDistributor's constructor (its first creation): the per-asset vaults the distributor shares with
  // the maintenance and rental custodies, which the wiring names once (`setCustodians`).
  {
    name: "AssetVaults",
    part: "income",
    args: () => [],
    roles: false,
    createdBy: { contract: "IncomeDistributor", getter: "vaults", nonce: 1 },
  },
  { name: "SharesBlueprint", part: "shares", args: () => [], roles: false },
  {
    name: "ShareFactory",
    part: "shares",
    args: (p) => [
      p.governance,
      ref("AssetRegistry"),
      ref("IdentityRegistry"),
      ref("IncomeDistributor"),
      ref("SharesBlueprint"),
    ],
  },
  // The dispute module (ERC-792 style) deciding disputed rental damage claims and challenged maintenance claims:
  // no roles, holds no money.
  { name: "DisputeModule", part: "disputes", args: () => [], roles: false },
  // The rental market (offers, signed offers, configuration): holds governance, which links its escrow once.
  {
    name: "RentalMarket",
    part: "rental",
    args: (p) => [
      p.governance,
      ref("AssetRegistry"),
      ref("DeviceRegistry"),
      p.feeRecipient,
      p.defaultArbiter,
      p.rentalFeeBps,
    ],
  },
  // The escrow names its market (the only opener of agreements); governance then links it (`setEscrow`).
  {
    name: "RentalEscrow",
    part: "rental",
    args: () => [
      ref("RentalMarket"),
      ref("AssetRegistry"),
      ref("DeviceRegistry"),
      ref("IncomeDistributor"),
      ref("DisputeModule"),
    ],
    roles: false,
  },
  // Created by RentalEscrow's constructor (its first creation), so it trusts exactly that escrow; it creates
  // the rental vaults' AssetVault implementation in turn (its own nonce 1).
  {
    name: "RentalCustody",
    part: "rental",
    args: () => [],
    roles: false,
    createdBy: { contract: "RentalEscrow", getter: "custody", nonce: 1 },
  },
  // Created by RentalEscrow's constructor (after RentalCustody): damage claims and their disputes.
  {
    name: "RentalClaims",
    part: "rental",
    args: () => [],
    roles: false,
    createdBy: { contract: "RentalEscrow", getter: "claims", nonce: 2 },
  },
  // Created by RentalEscrow's constructor (after RentalClaims): the meters of metered agreements.
  {
    name: "RentalMeter",
    part: "rental",
    args: () => [],
    roles: false,
    createdBy: { contract: "RentalEscrow", getter: "meter", nonce: 3 },
  },
  {
    name: "MaintenanceOrders",
    part: "maintenance",
    args: (p) => [
      p.governance,
      ref("AssetRegistry"),
      ref("DeviceRegistry"),
      ref("IncomeDistributor"),
      ref("DisputeModule"),
    ],
  },
  // Created by MaintenanceOrders' constructor (evidence first, then custody), so each trusts exactly it.
  {
    name: "MaintenanceEvidence",
    part: "maintenance",
    args: () => [],
    roles: false,
    createdBy: { contract: "MaintenanceOrders", getter: "evidence", nonce: 1 },
  },
  {
    name: "MaintenanceCustody",
    part: "maintenance",
    args: () => [],
    roles: false,
    createdBy: { contract: "MaintenanceOrders", getter: "custody", nonce: 2 },
  },
];

/** A call governance makes once, at deployment, to wire the suite. */
export interface GovernanceAction {
  /** Ignition future id (unique, stable). */
  id: string;
  contract: ContractName;
  method: string;
  args: Arg[];
  /** Parts that must be deployed for this action to exist. */
  parts: PartName[];
  /** Solidity types of `args` when their values do not say (an enum is a `uint8`, not a `uint256`). */
  types?: string[];
  /** Set when the action grants a role: what the roles check expects on chain. */
  grants?: { role: RoleName; holder: Arg };
  /**
   * A view that tells whether the action is already in effect (its first return value equals
   * `equals`): lets a deployment without its Ignition journal adopt a suite already on chain. It is read
   * from `contract` (another contract when `done.contract` names one).
   */
  done?: { signature: string; args: Arg[]; equals: string | boolean | bigint | Ref; contract?: ContractName };
}

function grant(
  idSuffix: string,
  contract: ContractName,
  role: RoleName,
  holder: Arg,
  parts: PartName[],
): GovernanceAction {
  return {
    id: `grant_${role}_${idSuffix}`.replace(/[^A-Za-z0-9_]/g, "_"),
    contract,
    method: "grantRole",
    args: [ROLES[role], holder],
    parts,
    grants: { role, holder },
    done: {
      signature: "function hasRole(bytes32,address) view returns (bool)",
      args: [ROLES[role], holder],
      equals: true,
    },
  };
}

function allowToken(contract: ContractName, token: string, label: string, part: PartName): GovernanceAction {
  const method = contract === "IncomeDistributor" ? "setPayoutToken" : "setTokenAllowed";
  const view = contract === "IncomeDistributor" ? "isPayoutToken" : "tokenAllowed";
  return {
    id: `${method}_${contract}_${label}`,
    contract,
    method,
    args: [token, true],
    parts: [part],
    done: { signature: `function ${view}(address) view returns (bool)`, args: [token], equals: true },
  };
}

/** Every governance action of the suite, in order. */
export function governanceActions(p: PlinthParameters): GovernanceAction[] {
  const actions: GovernanceAction[] = [];
  // Devices: manufacturers, and the asset registry that authorizes device bindings.
  p.manufacturers.forEach((m, i) =>
    actions.push({
      id: `admitManufacturer_${i}`,
      contract: "DeviceRegistry",
      method: "admitManufacturer",
      args: [m.manufacturer, m.signer],
      parts: ["devices"],
      done: {
        signature: "function manufacturerOf(address) view returns (bool, address)",
        args: [m.manufacturer],
        equals: true,
      },
    }),
  );
  // Devices: the ERC-7913 verifiers passkeys (WebAuthn, scheme 1) and TPM RSA keys (scheme 2) are checked by.
  (
    [
      ["WebAuthnVerifier", 1n],
      ["RsaVerifier", 2n],
    ] as const
  ).forEach(([verifier, scheme]) =>
    actions.push({
      id: `setVerifier_${verifier}`,
      contract: "DeviceKeys",
      method: "setVerifier",
      args: [ref(verifier), scheme],
      types: ["address", "uint8"],
      parts: ["devices"],
      done: { signature: "function schemeOf(address) view returns (uint8)", args: [ref(verifier)], equals: scheme },
    }),
  );
  actions.push({
    id: "setAssetRegistry",
    contract: "DeviceRegistry",
    method: "setAssetRegistry",
    args: [ref("AssetRegistry")],
    parts: ["devices", "assets"],
    done: { signature: "function assetRegistry() view returns (address)", args: [], equals: ref("AssetRegistry") },
  });
  // Assets: issuers and KYC agents.
  p.issuers.forEach((issuer, i) => actions.push(grant(`${i}`, "AssetRegistry", "ISSUER_ROLE", issuer, ["assets"])));
  p.kycAgents.forEach((agent, i) =>
    actions.push(grant(`${i}`, "IdentityRegistry", "KYC_AGENT_ROLE", agent, ["assets"])),
  );
  // Income: payout tokens; it retires assets on buyouts.
  p.acceptedTokens.forEach((token, i) => actions.push(allowToken("IncomeDistributor", token, String(i), "income")));
  actions.push(
    grant("IncomeDistributor", "AssetRegistry", "BUYOUT_ROLE", ref("IncomeDistributor"), ["assets", "income"]),
  );
  // Shares: the factory records each asset's share token in the registry.
  actions.push(grant("ShareFactory", "AssetRegistry", "SHARE_FACTORY_ROLE", ref("ShareFactory"), ["assets", "shares"]));
  // Rental: the market opens agreements in its escrow (linked once); the escrow leases devices and assets;
  // payment tokens.
  actions.push({
    id: "setEscrow",
    contract: "RentalMarket",
    method: "setEscrow",
    args: [ref("RentalEscrow")],
    parts: ["rental"],
    done: { signature: "function escrow() view returns (address)", args: [], equals: ref("RentalEscrow") },
  });
  actions.push(
    grant("RentalEscrow_devices", "DeviceRegistry", "LEASE_MANAGER_ROLE", ref("RentalEscrow"), ["devices", "rental"]),
  );
  actions.push(
    grant("RentalEscrow_assets", "AssetRegistry", "LEASE_MANAGER_ROLE", ref("RentalEscrow"), ["assets", "rental"]),
  );
  if (p.ethForRent) actions.push(allowToken("RentalMarket", ZeroAddress, "ETH", "rental"));
  p.acceptedTokens.forEach((token, i) => actions.push(allowToken("RentalMarket", token, String(i), "rental")));
  // Maintenance: spends assets' maintenance reserves; payment tokens.
  actions.push(
    grant("MaintenanceCustody", "IncomeDistributor", "RESERVE_SPENDER_ROLE", ref("MaintenanceCustody"), [
      "income",
      "maintenance",
    ]),
  );
  p.acceptedTokens.forEach((token, i) =>
    actions.push(allowToken("MaintenanceOrders", token, String(i), "maintenance")),
  );
  return actions;
}

/** Parts that can be deployed given which contract artifacts exist (and what each part needs). */
export function deployableParts(hasArtifact: (name: ContractName) => boolean): PartName[] {
  const out: PartName[] = [];
  for (const part of PARTS) {
    const own = CONTRACTS.filter((c) => c.part === part.name);
    if (own.length === 0 || !own.every((c) => hasArtifact(c.name))) continue;
    if (!part.needs.every((n) => out.includes(n))) continue;
    out.push(part.name);
  }
  return out;
}

/** The contracts of the given parts, in deployment order. */
export function contractsOf(parts: readonly PartName[]): ContractSpec[] {
  return CONTRACTS.filter((c) => parts.includes(c.part));
}

/** The governance actions that exist for the given parts. */
export function actionsOf(p: PlinthParameters, parts: readonly PartName[]): GovernanceAction[] {
  const actions = governanceActions(p).filter((a) => a.parts.every((x) => parts.includes(x)));
  if (parts.includes("income")) actions.push(custodiansAction(parts));
  return actions;
}

/**
 * Names, once, the custodies that share the asset vaults with the income distributor: the parts deployed with it
 * (address(0) for a part left out; the vaults can then never trust it, so deploy the money parts together).
 */
function custodiansAction(parts: readonly PartName[]): GovernanceAction {
  return {
    id: "setCustodians",
    contract: "IncomeDistributor",
    method: "setCustodians",
    args: [
      parts.includes("maintenance") ? ref("MaintenanceCustody") : ZeroAddress,
      parts.includes("rental") ? ref("RentalCustody") : ZeroAddress,
    ],
    types: ["address", "address"],
    parts: parts.filter((x) => x === "income" || x === "maintenance" || x === "rental"),
    done: { signature: "function vaultsReady() view returns (bool)", args: [], equals: true, contract: "AssetVaults" },
  };
}

/** Replaces contract references by addresses. */
export function resolveArg(arg: Arg, addresses: Readonly<Partial<Record<ContractName, string>>>): unknown {
  if (Array.isArray(arg)) return arg.map((a) => resolveArg(a, addresses));
  if (typeof arg === "object") {
    const address = addresses[arg.ref];
    if (address === undefined) throw new Error(`${arg.ref} is not deployed`);
    return address;
  }
  return arg;
}

/**
 * Ignition modules of the suite: one per part (its contracts only) and "Plinth" (all parts plus, when
 * `wire` is set, every governance action as a call sent from `p.governance`, which must then be an
 * account of the deploying network). Future ids: "<Part>#<Contract>", "Plinth#<action id>".
 */
export function buildPlinthModules(
  p: PlinthParameters,
  parts: readonly PartName[],
  wire: boolean,
  adopt: { contracts?: Readonly<Partial<Record<ContractName, string>>>; doneActions?: ReadonlySet<string> } = {},
) {
  type Future = CallableContractFuture<string>;
  type PartModule = IgnitionModule<string, string, Record<string, Future>>;
  const partModules = new Map<PartName, PartModule>();

  const toIgnitionArg = (arg: Arg, futures: Record<string, Future>): ArgumentType => {
    if (Array.isArray(arg)) return arg.map((a) => toIgnitionArg(a, futures));
    if (typeof arg === "object") {
      const future = futures[arg.ref];
      if (future === undefined) throw new Error(`module wiring: ${arg.ref} is not available`);
      return future;
    }
    return arg;
  };

  for (const part of PARTS) {
    if (!parts.includes(part.name)) continue;
    const module = buildModule(part.moduleId, (m) => {
      const futures: Record<string, Future> = {};
      for (const need of part.needs) {
        const dependency = partModules.get(need);
        if (dependency === undefined) throw new Error(`module wiring: part ${need} is not deployed`);
        Object.assign(futures, m.useModule(dependency));
      }
      const own: Record<string, Future> = {};
      for (const c of CONTRACTS.filter((x) => x.part === part.name)) {
        const existing = adopt.contracts?.[c.name];
        if (existing !== undefined) {
          // Already on chain at its CREATE2 address (same bytecode and arguments): adopt it.
          own[c.name] = m.contractAt(c.name, existing);
        } else if (c.createdBy !== undefined) {
          const creator = futures[c.createdBy.contract];
          const address = m.staticCall(creator, c.createdBy.getter, [], 0, { id: `${c.name}_address` });
          own[c.name] = m.contractAt(c.name, address);
        } else if (c.library === true) {
          own[c.name] = m.library(c.name) as unknown as Future;
        } else {
          const libraries = Object.fromEntries((c.libraries ?? []).map((l) => [l, futures[l]]));
          own[c.name] = m.contract(
            c.name,
            c.args(p).map((a) => toIgnitionArg(a, futures)),
            { libraries },
          );
        }
        futures[c.name] = own[c.name];
      }
      return own;
    });
    partModules.set(part.name, module);
  }

  const plinth = buildModule("Plinth", (m) => {
    const futures: Record<string, Future> = {};
    for (const module of partModules.values()) Object.assign(futures, m.useModule(module));
    if (wire) {
      let previous: ReturnType<typeof m.call> | undefined;
      for (const action of actionsOf(p, parts)) {
        if (adopt.doneActions?.has(action.id)) continue;
        const args = action.args.map((a) => toIgnitionArg(a, futures));
        // Sequential: governance's nonce order is deterministic and a failure stops the rest.
        previous = m.call(futures[action.contract], action.method, args, {
          id: action.id,
          from: p.governance,
          after: previous === undefined ? [] : [previous],
        });
      }
    }
    return futures;
  });

  return { parts: partModules, plinth };
}
