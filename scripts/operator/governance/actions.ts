/**
 * `npx hardhat governance <action>`: what governance (DEFAULT_ADMIN_ROLE) does after deployment:
 * manufacturers, payout-token allowlists, fees, roles (scripts/operator/tasks.ts lists the options).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { Contract, ZeroAddress } from "ethers";
import type {
  DeviceRegistry,
  IncomeDistributor,
  MaintenanceOrders,
  RentalMarket,
} from "../../../types/ethers-contracts/index.js";
import { mined } from "../../lib/cli.js";
import { tokenInfo } from "../../lib/units.js";
import {
  addressArg,
  openContext,
  operatorTask,
  required,
  uint,
  UserError,
  type CommonArgs,
  type ContractKind,
  type Context,
} from "../kernel.js";

interface Args extends CommonArgs {
  registry: string;
  manufacturer: string;
  authority: string;
  token: string;
  on: string;
  remove: boolean;
  distributor: string;
  rental: string;
  maintenance: string;
  incomeFeeBps: string;
  maxReserveBps: string;
  rentalFeeBps: string;
  feeRecipient: string;
  contract: string;
  at: string;
  role: string;
  account: string;
}

const bps = (n: bigint) => `${n} bps (${(Number(n) / 100).toFixed(2).replace(/\.?0+$/, "")} %)`;

export const manufacturerApprove = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args);
  const registry = await ctx.contract<DeviceRegistry>("DeviceRegistry", args.registry, "--registry");
  const manufacturer = addressArg(ctx.ethers, args.manufacturer, "--manufacturer");
  const authority = args.authority.trim() === "" ? manufacturer : addressArg(ctx.ethers, args.authority, "--authority");
  const [active, current] = await registry.manufacturerOf(manufacturer);
  if (active && current.toLowerCase() === authority.toLowerCase()) {
    console.log(`manufacturer ${manufacturer} is already admitted with signing authority ${authority}: nothing sent`);
    return;
  }
  const interfaces = [registry.interface];
  if (active) {
    await mined(registry.setManufacturerSigner(manufacturer, authority), { what: "setManufacturerSigner", interfaces });
    console.log(`manufacturer ${manufacturer}: signing authority ${current} -> ${authority}`);
  } else {
    await mined(registry.admitManufacturer(manufacturer, authority), { what: "admitManufacturer", interfaces });
    console.log(`manufacturer ${manufacturer} admitted, signing authority ${authority}`);
  }
});

export const manufacturerRevoke = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args);
  const registry = await ctx.contract<DeviceRegistry>("DeviceRegistry", args.registry, "--registry");
  const manufacturer = addressArg(ctx.ethers, args.manufacturer, "--manufacturer");
  const [active] = await registry.manufacturerOf(manufacturer);
  if (!active) throw new UserError(`${manufacturer} is not an admitted manufacturer`);
  await mined(registry.removeManufacturer(manufacturer), {
    what: "removeManufacturer",
    interfaces: [registry.interface],
  });
  console.log(`manufacturer ${manufacturer} removed (its registered devices stay registered)`);
});

type Where = "income" | "rental" | "maintenance";

function whereOf(raw: string): Where[] {
  const all: Where[] = ["income", "rental", "maintenance"];
  const list = raw.trim() === "" || raw.trim() === "all" ? all : raw.split(",").map((s) => s.trim().toLowerCase());
  for (const w of list) {
    if (!(all as string[]).includes(w)) throw new UserError(`--on ${raw}: one of all, ${all.join(", ")}`);
  }
  return list as Where[];
}

export const allowlist = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args);
  const where = whereOf(args.on);
  const token = addressArg(ctx.ethers, args.token, "--token", true);
  const allowed = !args.remove;
  if (token === ZeroAddress && where.some((w) => w !== "rental")) {
    throw new UserError("ETH is a payment token of the rental escrow only: add --on rental");
  }
  if (token !== ZeroAddress && (await ctx.ethers.provider.getCode(token)) === "0x") {
    throw new UserError(`no contract code at ${token} (--token) (an EOA or wrong network?)`);
  }
  // Every contract is checked before anything is sent.
  const targets: { label: string; contract: IncomeDistributor | RentalMarket | MaintenanceOrders; kind: Where }[] = [];
  for (const w of where) {
    if (w === "income")
      targets.push({
        label: "IncomeDistributor",
        kind: w,
        contract: await ctx.contract<IncomeDistributor>("IncomeDistributor", args.distributor, "--distributor"),
      });
    if (w === "rental")
      targets.push({
        label: "RentalMarket",
        kind: w,
        contract: await ctx.contract<RentalMarket>("RentalMarket", args.rental, "--rental"),
      });
    if (w === "maintenance")
      targets.push({
        label: "MaintenanceOrders",
        kind: w,
        contract: await ctx.contract<MaintenanceOrders>("MaintenanceOrders", args.maintenance, "--maintenance"),
      });
  }
  const info = await tokenInfo(ctx.ethers, token);
  const name = `${info.symbol}${token === ZeroAddress ? "" : ` (${token}${info.decimals === undefined ? "" : `, ${info.decimals} decimals`})`}`;
  for (const t of targets) {
    const before =
      t.kind === "income"
        ? await (t.contract as IncomeDistributor).isPayoutToken(token)
        : await (t.contract as RentalMarket | MaintenanceOrders).tokenAllowed(token);
    if (before === allowed) {
      console.log(`${t.label}: ${name} already ${allowed ? "allowed" : "not allowed"}: nothing sent`);
      continue;
    }
    const interfaces = [t.contract.interface];
    if (t.kind === "income") {
      await mined((t.contract as IncomeDistributor).setPayoutToken(token, allowed), {
        what: "setPayoutToken",
        interfaces,
      });
    } else {
      await mined((t.contract as RentalMarket | MaintenanceOrders).setTokenAllowed(token, allowed), {
        what: "setTokenAllowed",
        interfaces,
      });
    }
    console.log(`${t.label}: ${name} ${allowed ? "allowed" : "removed"} (was ${before ? "allowed" : "not allowed"})`);
  }
});

function bpsArg(raw: string, option: string): bigint | undefined {
  if (raw.trim() === "") return undefined;
  const n = uint(raw, option);
  if (n > 10_000n) throw new UserError(`${option} ${raw} is more than 10000 bps (100 %)`);
  return n;
}

export const fees = operatorTask(async (args: Args, hre) => {
  const incomeFee = bpsArg(args.incomeFeeBps, "--income-fee-bps");
  const maxReserve = bpsArg(args.maxReserveBps, "--max-reserve-bps");
  const rentalFee = bpsArg(args.rentalFeeBps, "--rental-fee-bps");
  const changes = [incomeFee, maxReserve, rentalFee].some((v) => v !== undefined) || args.feeRecipient.trim() !== "";
  const ctx = await openContext(hre, args, { readOnly: !changes });
  const recipient =
    args.feeRecipient.trim() === "" ? undefined : addressArg(ctx.ethers, args.feeRecipient, "--fee-recipient");
  const wantIncome = incomeFee !== undefined || maxReserve !== undefined || recipient !== undefined || !changes;
  const wantRental = rentalFee !== undefined || recipient !== undefined || !changes;
  const distributor = wantIncome
    ? await ctx.contract<IncomeDistributor>("IncomeDistributor", args.distributor, "--distributor")
    : undefined;
  const rental = wantRental ? await ctx.contract<RentalMarket>("RentalMarket", args.rental, "--rental") : undefined;
  if (distributor !== undefined) {
    const i = [distributor.interface];
    const fee = await distributor.protocolFeeBps();
    const cap = await distributor.maxReserveBps();
    const to = await distributor.feeRecipient();
    if (incomeFee !== undefined && incomeFee !== fee) {
      await mined(distributor.setProtocolFee(incomeFee), { what: "setProtocolFee", interfaces: i });
      console.log(`IncomeDistributor protocol fee: ${bps(fee)} -> ${bps(incomeFee)}`);
    } else console.log(`IncomeDistributor protocol fee: ${bps(fee)}`);
    if (maxReserve !== undefined && maxReserve !== cap) {
      await mined(distributor.setMaxReserve(maxReserve), { what: "setMaxReserve", interfaces: i });
      console.log(`IncomeDistributor reserve cap: ${bps(cap)} -> ${bps(maxReserve)}`);
    } else console.log(`IncomeDistributor reserve cap: ${bps(cap)}`);
    if (recipient !== undefined && recipient !== to) {
      await mined(distributor.setFeeRecipient(recipient), { what: "setFeeRecipient", interfaces: i });
      console.log(`IncomeDistributor fee recipient: ${to} -> ${recipient}`);
    } else console.log(`IncomeDistributor fee recipient: ${to}`);
  }
  if (rental !== undefined) {
    const i = [rental.interface];
    const fee = await rental.protocolFeeBps();
    const to = await rental.feeRecipient();
    if (rentalFee !== undefined && rentalFee !== fee) {
      await mined(rental.setProtocolFee(rentalFee), { what: "setProtocolFee", interfaces: i });
      console.log(`RentalMarket protocol fee: ${bps(fee)} -> ${bps(rentalFee)}`);
    } else console.log(`RentalMarket protocol fee: ${bps(fee)}`);
    if (recipient !== undefined && recipient !== to) {
      await mined(rental.setFeeRecipient(recipient), { what: "setFeeRecipient", interfaces: i });
      console.log(`RentalMarket fee recipient: ${to} -> ${recipient}`);
    } else console.log(`RentalMarket fee recipient: ${to}`);
  }
});

const ROLE_CONTRACTS: readonly ContractKind[] = [
  "DeviceRegistry",
  "AssetRegistry",
  "IdentityRegistry",
  "ShareFactory",
  "IncomeDistributor",
  "RentalMarket",
  "MaintenanceOrders",
];

/** The AccessControl contract, role id and account of a role task (checked before sending). */
async function roleTarget(ctx: Context, args: Args, defaultAccount?: string) {
  const name = required(args.contract, "--contract");
  const kind = ROLE_CONTRACTS.find((k) => k.toLowerCase() === name.toLowerCase());
  if (kind === undefined) throw new UserError(`--contract ${name}: one of ${ROLE_CONTRACTS.join(", ")}`);
  const address = await ctx.address(kind, args.at, "--at");
  const roleName = required(args.role, "--role").toUpperCase();
  if (!/^[A-Z][A-Z0-9_]*$/.test(roleName)) throw new UserError(`--role ${args.role} is not a role name`);
  const access = new Contract(
    address,
    [
      `function ${roleName === "DEFAULT_ADMIN_ROLE" ? "DEFAULT_ADMIN_ROLE" : roleName}() view returns (bytes32)`,
      "function hasRole(bytes32, address) view returns (bool)",
      "function grantRole(bytes32, address)",
      "function revokeRole(bytes32, address)",
    ],
    ctx.signer,
  );
  let role: string;
  try {
    role = (await access.getFunction(roleName)()) as string;
  } catch {
    throw new UserError(`${kind} at ${address} has no role ${roleName}`);
  }
  const account =
    args.account.trim() === "" && defaultAccount !== undefined
      ? defaultAccount
      : addressArg(ctx.ethers, args.account, "--account");
  return { kind, address, roleName, role, account, access };
}

function roleChange(grant: boolean) {
  return operatorTask(async (args: Args, hre: HardhatRuntimeEnvironment) => {
    const ctx = await openContext(hre, args);
    const t = await roleTarget(ctx, args);
    const has = (await t.access.hasRole(t.role, t.account)) as boolean;
    if (has === grant) {
      console.log(
        `${t.account} ${grant ? "already holds" : "does not hold"} ${t.roleName} on ${t.kind} ${t.address}: nothing sent`,
      );
      return;
    }
    await mined(t.access.getFunction(grant ? "grantRole" : "revokeRole")(t.role, t.account), {
      what: grant ? "grantRole" : "revokeRole",
    });
    console.log(`${t.roleName} on ${t.kind} ${t.address}: ${grant ? "granted to" : "revoked from"} ${t.account}`);
  });
}

export const roleGrant = roleChange(true);
export const roleRevoke = roleChange(false);

export const roleCheck = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args, { readOnly: true });
  const t = await roleTarget(ctx, args, ctx.signer.address);
  const has = (await t.access.hasRole(t.role, t.account)) as boolean;
  console.log(`${t.account} ${has ? "holds" : "does not hold"} ${t.roleName} on ${t.kind} ${t.address}`);
});
