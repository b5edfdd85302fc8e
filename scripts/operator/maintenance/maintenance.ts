/**
 * Maintenance work orders from the command line, for an asset's agent (or any payer), a provider
 * and an inspector. Run with `npx hardhat run scripts/operator/maintenance/maintenance.ts --network <name>`
 * and pass everything in environment variables (hardhat run forwards no CLI arguments):
 *
 *   ESCROW=0x...        MaintenanceOrders address (required except for device-attest)
 *   SIGNER=0            the signing account: index or address among the network's accounts (default
 *                       0; ACCOUNT is a deprecated alias)
 *   ACTION=...          one of:
 *     create            payer/agent: create and fund an order. ASSET_ID, TOKEN, BUDGET (base units),
 *                       PROVIDER (empty: open to bids), BOND (default 0), DEVICE_ID (default 0),
 *                       ACCEPT_IN / COMPLETE_IN (seconds from now, default 1 day / 7 days),
 *                       FROM_RESERVE=1 (agent: fund from the asset's maintenance reserve),
 *                       SLASH_TO=payer|reserve, K (default 1), USE_DEVICE=1, KIND, CMP=none|eq|gte|lte,
 *                       THRESHOLD, OPTIMISTIC=1 with ARBITER, CHALLENGE_WINDOW, DISPUTE_TIMEOUT,
 *                       DEFAULT_RULING=provider|payer, INSPECTORS=0xA,0xB, MILESTONES=3000,7000, SALT
 *     accept            named provider: accept ORDER_ID (approves and posts the bond)
 *     bid               provider: sign a bid on ORDER_ID for PRICE with BOND, VALID_FOR seconds
 *                       (default 1 day); writes it to OUT (default bid.json)
 *     award             payer/agent: award the order to the bid in BID (a file written by `bid`)
 *     withdraw-bids     provider: withdraw its bids on ORDER_ID issued before ISSUED_BEFORE (Unix
 *                       seconds; default every bid signed so far), e.g. before signing a revised one
 *     inspect           inspector: sign a verdict on ORDER_ID, MILESTONE (default 0), PASSED=1|0,
 *                       VALID_FOR; INSPECTOR=0x.. when signing for an ERC-1271 wallet; writes OUT
 *                       (default inspection.json)
 *     submit            anyone: submit the verdicts in FILES=a.json,b.json
 *     device-attest     the device (simulated, keys derived like scripts/operator/devices/simulate.ts): signs
 *                       its post-repair self-test and submits it to the DeviceRegistry's attest (the
 *                       only verifier of device signatures). REGISTRY, DEVICE_INDEX (default 0),
 *                       SEED (default the simulator's), CURVE=secp256k1|p256|mixed (default mixed),
 *                       KIND, VALUE (default 0 = self-test passed)
 *     device-evidence   anyone: count the order device's latest reading (stored by the registry)
 *                       for MILESTONE
 *     claim-milestone   provider: optimistic claim of MILESTONE
 *     challenge         payer/agent: challenge the claim on MILESTONE (opens a dispute)
 *     finalize          anyone: count an unchallenged claim on MILESTONE after its window
 *     expire            anyone: refund (and slash) an order past its deadline
 *     claim             any party: withdraw the claimable balance of TOKEN credited by ASSET_ID's
 *                       orders (to TO, default self)
 *     status            print ORDER_ID's state
 */
import { readFileSync, writeFileSync } from "node:fs";
import { operatorNetwork, requireCode, runOperator, signerFromEnv } from "../../lib/cli.js";
import { Comparator, Ruling, SlashTo, type Bid, type Inspection } from "../../../client/src/eip712/maintenance.js";
import {
  UserError,
  acceptOrder,
  attestSelfTest,
  awardSignedBid,
  claimBalance,
  createAndFund,
  describeOrder,
  explain,
  sendTx,
  siblingsOf,
  expireOrder,
  signInspectionVerdict,
  signProviderBid,
  withdrawProviderBids,
  submitDeviceEvidence,
  submitInspections,
  type NewOrder,
} from "./lib.js";
import type { MaintenanceOrders } from "../../../types/ethers-contracts/index.js";
import { envCurve, simulatedDevice } from "../devices/lib.js";
import { asAddress, asHex } from "../../../client/src/types.js";

const env = process.env;

function need(name: string): string {
  const v = env[name];
  if (v === undefined || v === "") throw new UserError(`set ${name}`);
  return v;
}

function big(name: string, fallback?: bigint): bigint {
  const v = env[name];
  if (v === undefined || v === "") {
    if (fallback === undefined) throw new UserError(`set ${name}`);
    return fallback;
  }
  try {
    return BigInt(v);
  } catch {
    throw new UserError(`${name}=${v} is not an integer`);
  }
}

function num(name: string, fallback: number): number {
  return Number(big(name, BigInt(fallback)));
}

function flag(name: string): boolean {
  return ["1", "true", "yes"].includes((env[name] ?? "").toLowerCase());
}

function pick<T extends Record<string, number>>(name: string, table: T, fallback: keyof T): number {
  const key = (env[name] ?? String(fallback)).toLowerCase();
  const hit = Object.entries(table).find(([k]) => k.toLowerCase() === key);
  if (!hit) throw new UserError(`${name} must be one of ${Object.keys(table).join(", ")}`);
  return hit[1];
}

const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x), 2);

let escrowForErrors: MaintenanceOrders | undefined;

async function main() {
  const { ethers } = await operatorNetwork({ readOnly: env.ACTION === "status" });
  const action = need("ACTION");
  if (action === "device-attest") {
    const sender = await signerFromEnv(ethers);
    const registryAddress = need("REGISTRY");
    await requireCode(ethers, registryAddress, "REGISTRY");
    const registry = await ethers.getContractAt("DeviceRegistry", registryAddress);
    const seed = env.SEED ?? ethers.id("plinth-device-simulator");
    const device = simulatedDevice(seed, num("DEVICE_INDEX", 0), envCurve("CURVE", "mixed"));
    const att = await attestSelfTest(registry, sender, device, num("KIND", 0), big("VALUE", 0n));
    console.log(`device ${device.deviceId} attested kind ${att.kind} value ${att.value} counter ${att.counter}`);
    return;
  }
  await requireCode(ethers, need("ESCROW"), "ESCROW");
  const escrow = (await ethers.getContractAt("MaintenanceOrders", need("ESCROW"))) as unknown as MaintenanceOrders;
  escrowForErrors = escrow;
  const { evidence } = await siblingsOf(escrow);
  const me = await signerFromEnv(ethers);
  const milestone = num("MILESTONE", 0);
  console.log(`${action} as ${me.address} on MaintenanceOrders ${await escrow.getAddress()}`);

  switch (action) {
    case "create": {
      const now = (await ethers.provider.getBlock("latest"))!.timestamp;
      const optimistic = flag("OPTIMISTIC");
      const useDevice = flag("USE_DEVICE");
      const order: NewOrder = {
        assetId: big("ASSET_ID"),
        deviceId: big("DEVICE_ID", 0n),
        token: need("TOKEN"),
        budget: big("BUDGET"),
        bond: big("BOND", 0n),
        provider: env.PROVIDER || ethers.ZeroAddress,
        acceptBy: now + num("ACCEPT_IN", 86_400),
        completeBy: now + num("COMPLETE_IN", 7 * 86_400),
        fromReserve: flag("FROM_RESERVE"),
        slashTo: pick("SLASH_TO", SlashTo, "Payer"),
        policy: {
          arbiter: optimistic ? need("ARBITER") : ethers.ZeroAddress,
          k: num("K", 1),
          useDevice,
          optimistic,
          cmp: useDevice ? pick("CMP", Comparator, "None") : Comparator.None,
          defaultRuling: optimistic
            ? pick("DEFAULT_RULING", { provider: Ruling.Provider, payer: Ruling.Payer }, "payer")
            : 0,
          kind: num("KIND", 0),
          threshold: big("THRESHOLD", 0n),
          challengeWindow: optimistic ? num("CHALLENGE_WINDOW", 86_400) : 0,
          disputeTimeout: optimistic ? num("DISPUTE_TIMEOUT", 3 * 86_400) : 0,
        },
        inspectors: (env.INSPECTORS ?? "").split(",").filter((s) => s !== ""),
        milestoneBps: (env.MILESTONES ?? "")
          .split(",")
          .filter((s) => s !== "")
          .map(Number),
        salt: env.SALT ? ethers.id(env.SALT) : ethers.hexlify(ethers.randomBytes(32)),
      };
      const { orderId } = await createAndFund(escrow, me, order);
      console.log(`created and funded order ${orderId}`);
      break;
    }
    case "accept":
      await acceptOrder(escrow, me, need("ORDER_ID"));
      console.log("accepted; bond posted");
      break;
    case "bid": {
      const signed = await signProviderBid(
        escrow,
        me,
        need("ORDER_ID"),
        big("PRICE"),
        big("BOND", 0n),
        num("VALID_FOR", 86_400),
      );
      const out = env.OUT ?? "bid.json";
      writeFileSync(out, json(signed));
      console.log(`signed bid written to ${out}`);
      break;
    }
    case "award": {
      const file = JSON.parse(readFileSync(need("BID"), "utf8")) as { bid: Record<string, string>; signature: string };
      const bid: Bid = {
        orderId: asHex(file.bid.orderId),
        provider: asAddress(file.bid.provider),
        price: BigInt(file.bid.price),
        bond: BigInt(file.bid.bond),
        issuedAt: BigInt(file.bid.issuedAt),
        deadline: BigInt(file.bid.deadline),
      };
      await awardSignedBid(escrow, me, bid, file.signature);
      console.log(`awarded to ${bid.provider} at ${bid.price}`);
      break;
    }
    case "withdraw-bids":
      await withdrawProviderBids(
        escrow,
        me,
        need("ORDER_ID"),
        env.ISSUED_BEFORE ? BigInt(env.ISSUED_BEFORE) : undefined,
      );
      console.log("older bids withdrawn");
      break;
    case "inspect": {
      const signed = await signInspectionVerdict(
        escrow,
        me,
        need("ORDER_ID"),
        milestone,
        (env.PASSED ?? "1") !== "0",
        num("VALID_FOR", 86_400),
        env.INSPECTOR || undefined,
      );
      const out = env.OUT ?? "inspection.json";
      writeFileSync(out, json(signed));
      console.log(`signed inspection written to ${out}`);
      break;
    }
    case "submit": {
      const items = need("FILES")
        .split(",")
        .map((f) => {
          const j = JSON.parse(readFileSync(f, "utf8")) as { inspection: Record<string, unknown>; signature: string };
          const i = j.inspection;
          const inspection: Inspection = {
            orderId: asHex(String(i.orderId)),
            milestone: Number(i.milestone),
            passed: Boolean(i.passed),
            inspector: asAddress(String(i.inspector)),
            issuedAt: BigInt(String(i.issuedAt)),
            deadline: BigInt(String(i.deadline)),
          };
          return { inspection, signature: j.signature };
        });
      await submitInspections(escrow, me, items);
      console.log(`submitted ${items.length} inspection(s)`);
      break;
    }
    case "device-evidence":
      await submitDeviceEvidence(escrow, me, need("ORDER_ID"), milestone);
      console.log("device evidence counted");
      break;
    case "claim-milestone":
      await sendTx(evidence, () => evidence.connect(me).claimMilestone(need("ORDER_ID"), milestone));
      console.log("milestone claimed; challenge window running");
      break;
    case "challenge":
      await sendTx(evidence, () => evidence.connect(me).challenge(need("ORDER_ID"), milestone));
      console.log("claim challenged; dispute opened");
      break;
    case "finalize":
      await sendTx(evidence, () => evidence.connect(me).finalizeClaim(need("ORDER_ID"), milestone));
      console.log("claim counted");
      break;
    case "expire":
      await expireOrder(escrow, me, need("ORDER_ID"));
      console.log("order ended; refunds are claimable");
      break;
    case "claim": {
      const amount = await claimBalance(escrow, me, big("ASSET_ID"), need("TOKEN"), env.TO || undefined);
      console.log(`claimed ${amount}`);
      break;
    }
    case "status":
      break;
    default:
      throw new UserError(`unknown ACTION=${action}`);
  }
  if (env.ORDER_ID) console.log(json(await describeOrder(escrow, env.ORDER_ID)));
}

await runOperator(async () => {
  try {
    await main();
  } catch (err) {
    throw escrowForErrors ? explain(escrowForErrors, err) : err;
  }
});
