/**
 * Operator commands as Hardhat 3 tasks, one group per part:
 *
 *   npx hardhat <part> <action> --network <name> [--options]
 *   npx hardhat <part> --help            lists the actions
 *   npx hardhat <part> <action> --help   describes the options
 *
 * Parts: governance, devices, assets, income, rental, maintenance, and `local` (a local chain only:
 * test stablecoin, time travel). Every task takes `--signer <role|index|address>` and `--deployment
 * <record>` (scripts/operator/kernel.ts); contract addresses default to the deployment record of the
 * connected chain (deployments/<chainId>.json). The actions live in scripts/operator/<part>/actions.ts and
 * reuse the parts' script libraries (scripts/operator/<part>/lib.ts).
 *
 * An action's description starts with who may run it, as the contract's NatSpec says (`Owner:`,
 * `Arbiter:`, `Payer (agent for a reserve-funded order):`, `Anyone:`); the signer is whoever
 * `--signer` names (default account 0), never guessed from the role. A new action is added to ACTIONS,
 * exported in camelCase by its part's actions.ts, listed in GROUPS and README.md, and counted by the
 * table test of test/tasks/operator-tasks.test.ts.
 */
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { NewTaskActionFunction, TaskDefinition } from "hardhat/types/tasks";

type Part = "governance" | "devices" | "assets" | "income" | "rental" | "maintenance" | "local";

interface ActionSpec {
  name: string;
  description: string;
  /** String options: [name (camelCase; --kebab-case on the command line), description]. */
  options?: [string, string][];
  /** Flags: [name, description]. */
  flags?: [string, string][];
}

const GROUPS: Record<Part, string> = {
  governance: "Governance: manufacturers, payout-token allowlists, fees, roles",
  devices: "Devices: register from public keys, claim, bind, confirm, unbind, suspend, resume, rotate, attest, status",
  assets: "Assets: register, create shares, onboard investors, mint shares, status",
  income: "Income: deposit, claim, register a payout token, reserve rate, buyout, redeem, status",
  rental:
    "Rental: offer, cancel-offer, sign-offer, cancel-nonce, rent, rent-signed, activate, decline, cancel-reservation, " +
    "pay, top-up, meter, collect, end, settle, default, claim, accept, dispute, waive, rule, resolve-timeout, finalize, " +
    "withdraw, withdraw-to, status",
  maintenance:
    "Maintenance orders: order, cancel, accept, bid, withdraw-bids, award, inspect, submit-inspections, evidence, " +
    "claim, challenge, rule, resolve-timeout, finalize, expire, withdraw, status",
  local: "A local chain only (31337): a test stablecoin, time travel",
};

const ASSET = ["asset", "asset id (decimal or 0x hex)"] as [string, string];
const DEVICE = ["device", "device id (decimal or 0x hex)"] as [string, string];
const AGREEMENT = ["agreement", "agreement id (bytes32)"] as [string, string];
const CUSTODY = [
  "asset",
  "asset id whose rental vault holds the balance (a rented device bound to no asset: its device id)",
] as [string, string];
const ORDER = ["order", "order id (bytes32)"] as [string, string];
const MILESTONE = ["milestone", "milestone index (default 0)"] as [string, string];
const DISPUTE = [
  "dispute",
  "dispute id (printed by maintenance challenge; decimal or 0x hex), or give --order and --milestone",
] as [string, string];
const REGISTRY = ["registry", "DeviceRegistry address (default: the deployment record's)"] as [string, string];
const ASSETS = ["assets", "AssetRegistry address (default: the deployment record's)"] as [string, string];
const DISTRIBUTOR = ["distributor", "IncomeDistributor address (default: the deployment record's)"] as [string, string];
const ESCROW_R = ["escrow", "RentalEscrow address (default: the deployment record's)"] as [string, string];
const ESCROW_M = ["escrow", "MaintenanceOrders address (default: the deployment record's)"] as [string, string];
const TOKEN = ["token", 'token address, or "ETH"'] as [string, string];
const AMOUNT = [
  "amount",
  "amount in token units (250, 12.5, 12.5 USDC), or base units with a suffix (12500000wei)",
] as [string, string];
const SIM = [
  ["simIndex", "sign with the simulated device of this index (keys derived from --seed, as the simulator)"],
  ["seed", "simulated devices' 32-byte hex seed (default: the simulator's)"],
  ["curve", "simulated devices' curve: secp256k1 | p256 | mixed (default mixed)"],
] as [string, string][];

export const ACTIONS: Record<Part, ActionSpec[]> = {
  governance: [
    {
      name: "manufacturer-approve",
      description: "Admit a manufacturer (or change its signing authority)",
      options: [
        ["manufacturer", "manufacturer address"],
        ["authority", "its signing authority (default: itself)"],
        REGISTRY,
      ],
    },
    {
      name: "manufacturer-revoke",
      description: "Remove a manufacturer (its devices stay registered)",
      options: [["manufacturer", "manufacturer address"], REGISTRY],
    },
    {
      name: "allowlist",
      description: "Allow (or --remove) a payout token on the distributor and the escrows",
      options: [
        ["token", 'token address ("ETH" for the rental market only)'],
        ["on", "where: all | income | rental | maintenance, comma-separated (default all)"],
        DISTRIBUTOR,
        ["rental", "RentalMarket address (default: the deployment record's)"],
        ["maintenance", "MaintenanceOrders address (default: the deployment record's)"],
      ],
      flags: [["remove", "remove the token from the allowlists instead"]],
    },
    {
      name: "fees",
      description: "Show, or set, the protocol fees, the reserve cap and the fee recipient",
      options: [
        ["incomeFeeBps", "distributor's protocol fee in basis points"],
        ["maxReserveBps", "distributor's cap on an asset's reserve rate in basis points"],
        ["rentalFeeBps", "rental market's protocol fee in basis points"],
        ["feeRecipient", "fee recipient of the distributor and the rental market"],
        DISTRIBUTOR,
        ["rental", "RentalMarket address (default: the deployment record's)"],
      ],
    },
    {
      name: "role-grant",
      description: "Grant a role on a contract",
      options: [
        [
          "contract",
          "contract: DeviceRegistry, AssetRegistry, IdentityRegistry, ShareFactory, IncomeDistributor, RentalMarket, MaintenanceOrders",
        ],
        ["at", "its address (default: the deployment record's)"],
        ["role", "role name, e.g. ISSUER_ROLE, KYC_AGENT_ROLE, DEFAULT_ADMIN_ROLE"],
        ["account", "account address"],
      ],
    },
    {
      name: "role-revoke",
      description: "Revoke a role on a contract",
      options: [
        ["contract", "contract name (see role-grant)"],
        ["at", "its address (default: the deployment record's)"],
        ["role", "role name"],
        ["account", "account address"],
      ],
    },
    {
      name: "role-check",
      description: "Whether an account holds a role on a contract (read only)",
      options: [
        ["contract", "contract name (see role-grant)"],
        ["at", "its address (default: the deployment record's)"],
        ["role", "role name"],
        ["account", "account address (default: the signer)"],
      ],
    },
  ],
  devices: [
    {
      name: "register",
      description:
        "Register real devices from a CSV of public keys (PEM/SPKI, JWK, <curve>:SEC1 hex), or simulated ones",
      options: [
        ["keys", "CSV file key,model,firmwareHash,serialHash (see scripts/operator/devices/register-devices.ts)"],
        ["simCount", "instead of --keys: register this many simulated devices (keys derived from --seed)"],
        ["simFrom", "first simulated device index (default 0)"],
        ["seed", "simulated devices' 32-byte hex seed (default: the simulator's)"],
        ["curve", "simulated devices' curve: secp256k1 | p256 | mixed (default mixed)"],
        ["manufacturer", "manufacturer address (default: the signer, who must be its signing authority)"],
        REGISTRY,
      ],
      flags: [["allowPartial", "register the valid rows even when some are rejected"]],
    },
    {
      name: "claim",
      description: "Claim a device's token for an owner with the device's signature (or print what it signs)",
      options: [
        DEVICE,
        ["owner", "who receives the device token (default: the signer)"],
        ["deadline", "unix time the signature expires (default: latest block + 1 hour)"],
        ["signature", "the device key's signature of the Claim (without it: the digest is printed)"],
        ...SIM,
        REGISTRY,
      ],
    },
    {
      name: "bind",
      description: "Owner: bind a device to an asset (the asset's agent binds at once; anyone else requests)",
      options: [DEVICE, ASSET, REGISTRY],
    },
    {
      name: "confirm",
      description: "Asset agent: confirm a pending bind request",
      options: [DEVICE, ASSET, REGISTRY],
    },
    { name: "unbind", description: "Owner or asset agent: unbind a device", options: [DEVICE, REGISTRY] },
    {
      name: "suspend",
      description: "Governance or the device's manufacturer: suspend a device",
      options: [DEVICE, REGISTRY],
    },
    {
      name: "resume",
      description: "Governance or the device's manufacturer: resume a suspended device",
      options: [DEVICE, REGISTRY],
    },
    {
      name: "rotate",
      description: "Owner: rotate a device's key, signed by its current key (or print what it signs)",
      options: [
        DEVICE,
        ["newKey", "the new public key (PEM/SPKI, JWK, <curve>:SEC1 hex)"],
        ["deadline", "unix time the signature expires (default: latest block + 1 hour)"],
        ["signature", "the current key's signature of the RotateKey (without it: the digest is printed)"],
        ...SIM,
        REGISTRY,
      ],
    },
    {
      name: "attest",
      description: "Relay a device's signed reading (or print the digest the device signs)",
      options: [
        DEVICE,
        ["kind", "reading kind (uint32, e.g. 1 energy)"],
        ["value", "the reading's value (default 0)"],
        ["odometer", "the device's running total of this kind (default: its last accepted one)"],
        ["counter", "the device's counter (default: its last accepted counter + 1)"],
        ["timestamp", "unix time of the reading (default: the latest block's)"],
        ["payload", 'payload: 32-byte hex, or text hashed (default "reading")'],
        ["signature", "the device key's signature of the Attestation (without it: the digest is printed)"],
        ...SIM,
        REGISTRY,
      ],
    },
    {
      name: "status",
      description: "A device's status, owner, binding and key (read only)",
      options: [DEVICE, REGISTRY],
    },
  ],
  assets: [
    {
      name: "register",
      description: "Issuer: register an asset with its legal documents",
      options: [
        ["salt", "salt (32-byte hex, or text hashed)"],
        ["class", "solar | battery | building | charger | sensorFleet | other"],
        ["jurisdiction", "ISO-3166 alpha-2 code, e.g. DE"],
        ["agent", "the asset's agent (default: the signer)"],
        ["metadataUri", "metadata URI"],
        ["documents", 'documents "path|uri;path2|uri2" (SHA-256 of each file; the agent signs)'],
        ASSETS,
      ],
    },
    {
      name: "create-shares",
      description: "Agent: create the asset's share token",
      options: [
        ASSET,
        ["name", "token name"],
        ["symbol", "token symbol"],
        ["decimals", "decimals (default 18)"],
        ["factory", "ShareFactory address (default: the deployment record's)"],
      ],
    },
    {
      name: "onboard",
      description: "KYC agent: onboard investors from a CSV wallet,country,expiry",
      options: [
        ["investors", "CSV file wallet,country,expiry"],
        ["batchSize", "identities per transaction (default 100)"],
        ["identity", "IdentityRegistry address (default: the deployment record's)"],
      ],
      flags: [["allowPartial", "onboard the valid rows even when some are rejected"]],
    },
    {
      name: "mint",
      description: "Agent: mint shares (refused when a recipient already holds its amount, unless --force)",
      options: [
        ASSET,
        ["allocations", "CSV file wallet,amount (amount in shares)"],
        ["to", "one recipient (instead of --allocations)"],
        ["amount", "its amount in shares"],
        ASSETS,
      ],
      flags: [
        ["force", "mint even when recipients already hold their amount"],
        ["allowPartial", "accept a mint where some allocations are refused"],
      ],
    },
    {
      name: "status",
      description: "An asset's status, agent, shares and documents (read only)",
      options: [ASSET, ASSETS],
    },
  ],
  income: [
    {
      name: "deposit",
      description: "Deposit income for an asset's holders",
      options: [ASSET, TOKEN, AMOUNT, DISTRIBUTOR],
    },
    {
      name: "claim",
      description: "Holder: claim its income",
      options: [ASSET, TOKEN, ["to", "receiver (default: the signer)"], DISTRIBUTOR],
    },
    {
      name: "register-token",
      description: "Agent: register a payout token for the asset (needed before income in it)",
      options: [ASSET, TOKEN, DISTRIBUTOR],
    },
    {
      name: "reserve-rate",
      description: "Agent: set the asset's maintenance reserve rate",
      options: [ASSET, ["bps", "basis points of income kept as reserve"], DISTRIBUTOR],
    },
    {
      name: "buyout",
      description: "Agent: deposit buyout proceeds (retires the asset)",
      options: [ASSET, TOKEN, AMOUNT, DISTRIBUTOR],
    },
    {
      name: "redeem",
      description: "Holder: redeem shares of a retired asset",
      options: [ASSET, ["to", "receiver (default: the signer)"], DISTRIBUTOR],
    },
    {
      name: "status",
      description: "Income of an asset per payout token, and the buyout (read only)",
      options: [ASSET, ["account", "holder to report on (default: the signer)"], DISTRIBUTOR],
    },
  ],
  rental: [
    {
      name: "offer",
      description: "Owner: publish rental terms (JSON of RentalTerms; an unknown key is refused)",
      options: [["terms", "terms JSON file"], ESCROW_R],
    },
    {
      name: "cancel-offer",
      description: "Owner: withdraw an on-chain offer (running agreements keep their terms)",
      options: [["offer", "offer id (bytes32)"], ESCROW_R],
    },
    {
      name: "rent",
      description: "Renter: rent from an on-chain offer",
      options: [
        ["offer", "offer id (bytes32)"],
        ["duration", "seconds of use"],
        ["prepay", "initial credit in token units (or 12500000wei)"],
        ESCROW_R,
      ],
    },
    {
      name: "sign-offer",
      description: "Owner: sign an EIP-712 offer of terms to a file (nothing is sent; the renter runs rent-signed)",
      options: [
        ["terms", "terms JSON file"],
        ["out", "signed offer file to write"],
        ["expiry", "unix time the offer expires (default: latest block + 7 days)"],
        ["nonce", "offer nonce (default 0)"],
        ["renter", "only this renter may fill it (default: anyone)"],
        ESCROW_R,
      ],
    },
    {
      name: "rent-signed",
      description: "Renter: rent from a signed offer file (refused for another chain)",
      options: [
        ["file", "signed offer file (written by sign-offer)"],
        ["duration", "seconds of use"],
        ["prepay", "initial credit in token units (or 12500000wei)"],
        ESCROW_R,
      ],
    },
    {
      name: "cancel-nonce",
      description: "Owner: cancel a nonce of its signed offers (every signed offer with it is refused from then on)",
      options: [
        ["nonce", "offer nonce to cancel (as given to sign-offer)"],
        ["file", "instead of --nonce: the signed offer file whose nonce to cancel"],
        ESCROW_R,
      ],
    },
    { name: "activate", description: "Owner: activate a reservation", options: [AGREEMENT, ESCROW_R] },
    {
      name: "decline",
      description: "Owner: decline a reservation (deposit and prepaid credit go back to the renter)",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "cancel-reservation",
      description: "Anyone: return everything to the renter of a reservation not activated in time",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "cancel",
      description: "Anyone: the same as cancel-reservation (kept for existing scripts)",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "pay",
      description: "Anyone: pay more seconds of time rent",
      options: [AGREEMENT, ["seconds", "seconds of rent to pay"], ESCROW_R],
    },
    { name: "top-up", description: "Anyone: add credit", options: [AGREEMENT, AMOUNT, ESCROW_R] },
    { name: "meter", description: "Anyone: settle the metered units so far", options: [AGREEMENT, ESCROW_R] },
    { name: "collect", description: "Anyone: pay earned rent to the owner side", options: [AGREEMENT, ESCROW_R] },
    { name: "end", description: "Renter: end early under the terms' notice", options: [AGREEMENT, ESCROW_R] },
    { name: "settle", description: "Anyone: settle an agreement whose use has ended", options: [AGREEMENT, ESCROW_R] },
    {
      name: "default",
      description: "Anyone: end an agreement in default (arrears older than the grace period)",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "claim",
      description: "Owner: claim damages from the held deposit within the claim window",
      options: [
        AGREEMENT,
        ["amount", "claimed amount in token units (or 12500000wei), at most the deposit held"],
        ["evidence", "evidence: 32-byte hex, or text hashed (keccak256)"],
        ESCROW_R,
      ],
    },
    { name: "accept", description: "Renter: accept the pending damage claim", options: [AGREEMENT, ESCROW_R] },
    {
      name: "dispute",
      description: "Renter: dispute the pending damage claim (opens a dispute on the dispute module)",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "waive",
      description: "Owner: release the deposit without (further) claim",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "rule",
      description: "Arbiter: rule on a disputed claim on the dispute module, before its deadline",
      options: [
        AGREEMENT,
        ["ruling", "owner (claim paid) | renter (deposit back) | refused (the default: renter)"],
        ESCROW_R,
      ],
    },
    {
      name: "resolve-timeout",
      description: "Anyone: apply the default ruling (renter) to a disputed claim past the arbiter's deadline",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "finalize",
      description: "Anyone: close a settling agreement past its phase deadline",
      options: [AGREEMENT, ESCROW_R],
    },
    {
      name: "withdraw",
      description: "Any party: withdraw its claimable balance held in an asset's vault",
      options: [CUSTODY, ["token", "token address, or ETH (default: ETH)"], ESCROW_R],
    },
    {
      name: "withdraw-to",
      description:
        "Any party: withdraw its claimable balance held in an asset's vault to another address (e.g. when the token blocks the signer)",
      options: [CUSTODY, ["token", "token address, or ETH (default: ETH)"], ["to", "receiver address"], ESCROW_R],
    },
    {
      name: "status",
      description: "An agreement's state and money, in token units (read only)",
      options: [AGREEMENT, ESCROW_R],
    },
  ],
  maintenance: [
    {
      name: "order",
      description: "Payer or agent: create and fund a maintenance order",
      options: [
        ASSET,
        TOKEN,
        ["budget", "budget in token units (or 12500000wei)"],
        ["provider", "named provider (default: open to bids)"],
        ["bond", "provider's bond in token units (default 0)"],
        DEVICE,
        ["acceptIn", "seconds to accept (default 1 day)"],
        ["completeIn", "seconds to complete (default 7 days)"],
        ["inspectors", "inspector addresses, comma-separated"],
        ["k", "inspections needed per milestone (default 1)"],
        ["milestones", "milestone shares in bps, comma-separated (default one milestone)"],
        ["salt", "salt of the order id, text hashed (default: random)"],
        ["kind", "reading kind the device evidence must be (default 0)"],
        ["cmp", "device reading's value condition: none | eq | gte | lte (default none)"],
        ["threshold", "value the condition compares with (default 0)"],
        ["arbiter", "arbiter of challenged claims (needed with --optimistic)"],
        ["challengeWindow", "seconds to challenge an optimistic claim (default 1 day with --optimistic)"],
        ["disputeTimeout", "seconds the arbiter has to rule (default 7 days with --optimistic)"],
        ["defaultRuling", "ruling when the arbiter does not: 1 claim stands, 2 rejected (default 1)"],
        ESCROW_M,
      ],
      flags: [
        ["fromReserve", "agent: fund from the asset's maintenance reserve"],
        ["useDevice", "the device's readings count as evidence"],
        ["optimistic", "the provider's claim counts unless challenged (maintenance claim, finalize)"],
      ],
    },
    {
      name: "cancel",
      description: "Payer (agent for a reserve-funded order): cancel an order nobody accepted yet (budget refunded)",
      options: [ORDER, ESCROW_M],
    },
    { name: "accept", description: "Named provider: accept an order (posts the bond)", options: [ORDER, ESCROW_M] },
    {
      name: "bid",
      description: "Provider: sign a bid on an open order to a file (approves the bond for the award)",
      options: [
        ORDER,
        ["price", "price in token units (or 12500000wei), at most the budget"],
        ["bond", "bond in token units (default: the order's minimum)"],
        ["validFor", "seconds the bid can be awarded (default 1 day)"],
        ["out", "signed bid file to write"],
        ESCROW_M,
      ],
    },
    {
      name: "withdraw-bids",
      description: "Provider: withdraw its signed bids on an order issued before a time (no longer awardable)",
      options: [
        ORDER,
        [
          "issuedBefore",
          "bids issued before this unix time are withdrawn (default: latest block + 1, every bid so far)",
        ],
        ESCROW_M,
      ],
    },
    {
      name: "award",
      description: "Payer or agent: award the order to a signed bid file",
      options: [["file", "signed bid file (written by bid)"], ESCROW_M],
    },
    {
      name: "inspect",
      description: "Inspector: sign a verdict on a milestone to a file (nothing is sent)",
      options: [
        ORDER,
        ["milestone", "milestone index (default 0)"],
        ["verdict", "pass | fail"],
        ["validFor", "seconds the verdict can be submitted (default 1 day)"],
        ["out", "signed inspection file to write"],
        ESCROW_M,
      ],
    },
    {
      name: "submit-inspections",
      description: "Anyone: submit inspectors' signed verdict files of one order",
      options: [["files", "signed inspection files, comma-separated (written by inspect)"], ESCROW_M],
    },
    {
      name: "evidence",
      description: "Anyone: count the order device's latest reading for a milestone",
      options: [ORDER, MILESTONE, ESCROW_M],
    },
    {
      name: "claim",
      description: "Provider: claim a milestone optimistically (counts after the challenge window)",
      options: [ORDER, MILESTONE, ESCROW_M],
    },
    {
      name: "challenge",
      description:
        "Payer (agent for a reserve-funded order): challenge an optimistic claim in its window (prints the dispute id)",
      options: [ORDER, MILESTONE, ESCROW_M],
    },
    {
      name: "rule",
      description: "Arbiter: rule on a challenged claim before the dispute deadline",
      options: [
        DISPUTE,
        ["order", "order id (bytes32), with --milestone, instead of --dispute"],
        MILESTONE,
        ["ruling", "provider (the claim stands) | payer (the challenge stands) | refused (the order's default ruling)"],
        ESCROW_M,
      ],
    },
    {
      name: "resolve-timeout",
      description: "Anyone: apply the order's default ruling to a dispute the arbiter left past its deadline",
      options: [DISPUTE, ["order", "order id (bytes32), with --milestone, instead of --dispute"], MILESTONE, ESCROW_M],
    },
    {
      name: "finalize",
      description: "Anyone: count an unchallenged optimistic claim after its window",
      options: [ORDER, MILESTONE, ESCROW_M],
    },
    { name: "expire", description: "Anyone: end an order past its deadline (refunds)", options: [ORDER, ESCROW_M] },
    {
      name: "withdraw",
      description: "Any party: withdraw its balance credited by an asset's orders",
      options: [ASSET, TOKEN, ["to", "receiver (default: the signer)"], ESCROW_M],
    },
    { name: "status", description: "An order's state, money and milestones (read only)", options: [ORDER, ESCROW_M] },
  ],
  local: [
    {
      name: "stablecoin",
      description: "Deploy a test ERC-20 (or use --token) and mint it",
      options: [
        ["name", "token name (default Test USD)"],
        ["symbol", "token symbol (default tUSD)"],
        ["decimals", "decimals (default 6)"],
        ["token", "mint an already deployed test token instead"],
        ["to", "receiver of the mint (default: the signer)"],
        ["amount", "amount to mint in token units (default 1000000)"],
      ],
    },
    {
      name: "time-travel",
      description: "Move the chain's time forward and mine a block",
      options: [
        ["seconds", "seconds to add"],
        ["to", "unix timestamp of the next block"],
      ],
    },
  ],
};

const COMMON: [string, string][] = [
  [
    "signer",
    "who signs: a role (PLINTH_<ROLE>_KEY in the environment or keystore), an account index or address (default 0)",
  ],
  ["deployment", "deployment record file (default: deployments/<chainId>.json)"],
];

/** Options that name a file: shown as `<FILE>` in the usage line. */
const FILE_OPTIONS = new Set(["keys", "investors", "allocations", "terms", "out", "file", "files", "deployment"]);
/** The default shown for an option whose description names none (the action decides, or requires it). */
export const NO_DEFAULT = "none";

/**
 * How an option is declared for Hardhat. Hardhat's help prints an option's type as its placeholder
 * (`[--agreement <STRING>]`) and its default after the description (`(default: 0)`); an option without
 * a default would print `<STRING_WITHOUT_DEFAULT>`. So every option is a STRING (FILE for files) whose
 * default is the phrase of its description's "(default ...)" (moved there, not shown twice), or "none".
 * The action never sees these phrases: `defaultsCleared` turns an option still at its shown default
 * into "" (the actions' "not given").
 */
export function optionOf(name: string, description: string) {
  const m = /^(.*?)\s*\(default:? ([^()]*(?:\([^()]*\)[^()]*)*)\)$/.exec(description);
  return {
    name,
    description: m === null ? description : m[1]!,
    type: FILE_OPTIONS.has(name) ? ArgumentType.FILE : ArgumentType.STRING,
    defaultValue: m === null ? NO_DEFAULT : m[2]!,
  } as const;
}

/** Every option of an action, with how Hardhat declares it. */
export function optionsOf(spec: ActionSpec) {
  return [...(spec.options ?? []), ...COMMON].map(([name, description]) => optionOf(name, description));
}

/** The arguments as the actions read them: an option left at its shown default becomes "". */
export function defaultsCleared(spec: ActionSpec, args: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  for (const o of optionsOf(spec)) if (out[o.name] === o.defaultValue) out[o.name] = "";
  return out;
}

/** The action of `spec` in `part`, loaded when run (scripts/operator/<part>/actions.ts exports it in camelCase). */
function lazy(part: Part, spec: ActionSpec) {
  const exported = spec.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return async () => {
    const module = (await import(`./${part}/actions.js`)) as Record<string, NewTaskActionFunction>;
    const action = module[exported];
    if (action === undefined) throw new Error(`scripts/operator/${part}/actions.ts does not export ${exported}`);
    const cleared: NewTaskActionFunction = (args, hre) => action(defaultsCleared(spec, args), hre);
    return { default: cleared };
  };
}

/** Every task definition, for hardhat.config.ts `tasks`. */
export function operatorTasks(): TaskDefinition[] {
  const out: TaskDefinition[] = [];
  for (const [part, actions] of Object.entries(ACTIONS) as [Part, ActionSpec[]][]) {
    out.push(emptyTask(part, GROUPS[part]).build());
    for (const spec of actions) {
      // The builder's argument types grow with each option; a loop keeps the general type.
      let builder = task([part, spec.name], spec.description) as unknown as ReturnType<typeof task>;
      for (const option of optionsOf(spec)) {
        builder = builder.addOption(option) as unknown as ReturnType<typeof task>;
      }
      for (const [name, description] of spec.flags ?? []) {
        builder = builder.addFlag({ name, description }) as unknown as ReturnType<typeof task>;
      }
      out.push(builder.setAction(lazy(part, spec)).build());
    }
  }
  return out;
}
