/**
 * The rest of the operator tasks' actions on the real suite, in-process (./harness.ts): governance
 * fees and manufacturers; a device's whole life (register, claim from a printed digest, suspend,
 * resume, bind request + confirm, unbind, key rotation); income deposit, status and claim in token
 * units; rental activate and top-up; a maintenance order accepted by its provider.
 */
import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { network } from "hardhat";
import { simulatedDevice } from "../../scripts/operator/devices/lib.js";
import type { Secp256k1DeviceSigner } from "../../client/src/signers/devices.js";
import { runTask, suiteWithRecord, type Suite } from "./harness.js";

const connection = await network.getOrCreate();
const { ethers } = connection;
const signers = await ethers.getSigners();
const [, governance, , , manufacturer, owner, issuer, provider, renter, inspector] = signers;
const SEED = ethers.id("plinth-tasks-lifecycle");

describe("operator tasks: lifecycle (scripts/operator)", function () {
  let suite: Suite;
  let dir: string;
  let record: string;
  let assetId: string;
  let usdc: string;

  const run = async (id: string[], args: Record<string, string | boolean | undefined>) => {
    const r = await runTask(id, { deployment: record, ...args });
    expect(r.ok, `${id.join(" ")}: ${r.stderr}`).to.equal(true);
    return r.stdout;
  };

  before(async function () {
    ({ suite, dir, record } = await suiteWithRecord(connection));
    usdc = await suite.payoutToken.getAddress();
    const out = await run(["assets", "register"], {
      salt: "lifecycle",
      class: "battery",
      jurisdiction: "FR",
      signer: "6",
    });
    assetId = /asset (\d+) registered/.exec(out)![1];
    await run(["assets", "create-shares"], {
      asset: assetId,
      name: "Battery",
      symbol: "BAT",
      decimals: "0",
      signer: "6",
    });
    const investors = join(dir, "lifecycle-investors.csv");
    await writeFile(investors, `${issuer.address},250,4102444800\n${owner.address},250,4102444800\n`);
    await run(["assets", "onboard"], { investors, signer: "2" });
    await run(["assets", "mint"], { asset: assetId, to: issuer.address, amount: "100", signer: "6" });
    await run(["income", "register-token"], { asset: assetId, token: usdc, signer: "6" });
  });

  it("governance: fees shown and set, a manufacturer admitted and revoked", async function () {
    const shown = await run(["governance", "fees"], {});
    expect(shown).to.contain("IncomeDistributor protocol fee: 100 bps (1 %)");
    expect(shown).to.contain("RentalMarket protocol fee: 100 bps (1 %)");
    const set = await run(["governance", "fees"], { rentalFeeBps: "150", signer: "1" });
    expect(set).to.contain("RentalMarket protocol fee: 100 bps (1 %) -> 150 bps (1.5 %)");
    expect(await suite.rentalMarket.protocolFeeBps()).to.equal(150n);
    const admitted = await run(["governance", "manufacturer-approve"], { manufacturer: owner.address, signer: "1" });
    expect(admitted).to.contain(`manufacturer ${owner.address} admitted, signing authority ${owner.address}`);
    const revoked = await run(["governance", "manufacturer-revoke"], { manufacturer: owner.address, signer: "1" });
    expect(revoked).to.contain("removed");
    expect((await suite.devices.manufacturerOf(owner.address))[0]).to.equal(false);
  });

  it("devices: register, claim from the printed digest, suspend, resume, bind request + confirm, unbind, rotate", async function () {
    const device = simulatedDevice(SEED, 0, "secp256k1") as Secp256k1DeviceSigner;
    const id = String(device.deviceId);
    const keys = join(dir, "lifecycle-keys.csv");
    await writeFile(keys, `secp256k1:${device.wallet.signingKey.compressedPublicKey},m,fw,serial-9\n`);
    expect(await run(["devices", "register"], { keys, signer: "4" })).to.contain("secp256k1 registered");

    const deadline = String((await ethers.provider.getBlock("latest"))!.timestamp + 3600);
    const printed = await run(["devices", "claim"], { device: id, owner: owner.address, deadline });
    expect(printed).to.contain("nothing was sent");
    const digest = /^(0x[0-9a-f]{64})$/m.exec(printed)![1];
    const signature = await device.signDigest(digest);
    expect(await run(["devices", "claim"], { device: id, owner: owner.address, deadline, signature })).to.contain(
      `its token now belongs to ${owner.address}`,
    );

    expect(await run(["devices", "suspend"], { device: id, signer: "4" })).to.contain("suspended: Suspended");
    expect(await run(["devices", "resume"], { device: id, signer: "4" })).to.contain("resumed: Active");
    expect(await run(["devices", "bind"], { device: id, asset: assetId, signer: "5" })).to.contain(
      `bind requested to asset ${assetId}`,
    );
    expect(await run(["devices", "confirm"], { device: id, asset: assetId, signer: "6" })).to.contain(
      `bound to asset ${assetId}: Active, asset ${assetId}`,
    );
    expect(await run(["devices", "unbind"], { device: id, signer: "5" })).to.contain("unbound: Active, asset none");

    const next = simulatedDevice(SEED, 1, "p256");
    const newKey = `p256:0x04${next.keyA.slice(2)}${next.keyB.slice(2)}`;
    const seed = SEED;
    const rotated = await run(["devices", "rotate"], {
      device: id,
      newKey,
      simIndex: "0",
      seed,
      curve: "secp256k1",
      signer: "5",
    });
    expect(rotated).to.contain("now uses the p256 key");
    expect(await run(["devices", "status"], { device: id })).to.contain(`key:          p256 ${next.keyA}`);
  });

  it("income: deposit, status and claim in token units", async function () {
    await suite.payoutToken.mint(renter.address, 1_000_000_000n);
    const deposit = await run(["income", "deposit"], { asset: assetId, token: usdc, amount: "100 USDC", signer: "8" });
    expect(deposit).to.contain("deposited 100 USDC (100000000)");
    expect(deposit).to.contain("fee 1 USDC (1000000)");
    const status = await run(["income", "status"], { asset: assetId, account: issuer.address });
    expect(status).to.contain("claimable 99 USDC (99000000)");
    const claim = await run(["income", "claim"], { asset: assetId, token: usdc, signer: "6" });
    expect(claim).to.contain(`claimed 99 USDC (99000000) of asset ${assetId} income, paid to ${issuer.address}`);
  });

  it("rental: activate and top up, each change printed in token units", async function () {
    const terms = join(dir, "lifecycle-terms.json");
    await writeFile(
      terms,
      JSON.stringify({ subjectKind: 1, subjectId: assetId, token: usdc, pricePerSecond: "10", deposit: "1000000" }),
    );
    const offerId = /offer (0x[0-9a-f]{64})/.exec(await run(["rental", "offer"], { terms, signer: "6" }))![1];
    const rent = await run(["rental", "rent"], { offer: offerId, duration: "7200", prepay: "1.5", signer: "8" });
    const agreement = /agreement (0x[0-9a-f]{64}) opened/.exec(rent)![1];
    if (rent.includes("Reserved")) {
      expect(await run(["rental", "activate"], { agreement, signer: "6" })).to.contain("Reserved -> Active");
    }
    const topUp = await run(["rental", "top-up"], { agreement, amount: "2.25", signer: "8" });
    expect(topUp).to.contain("topped up 2.25 USDC (2250000)");
    expect(await run(["rental", "status"], { agreement })).to.contain("credit:       ");
  });

  it("maintenance: an order for a named provider, accepted, with its status", async function () {
    await suite.payoutToken.mint(issuer.address, 1_000_000_000n);
    const order = await run(["maintenance", "order"], {
      asset: assetId,
      token: usdc,
      budget: "250",
      provider: provider.address,
      inspectors: inspector.address,
      signer: "6",
    });
    expect(order).to.contain("budget 250 USDC (250000000)");
    const orderId = /order (0x[0-9a-f]{64}) created/.exec(order)![1];
    expect(order).to.match(/state: +Open/);
    const accepted = await run(["maintenance", "accept"], { order: orderId, signer: "7" });
    expect(accepted).to.match(/state: +Active/);
    const status = await run(["maintenance", "status"], { order: orderId });
    expect(status).to.contain(`provider:  ${provider.address}`);
    expect(status).to.contain("budget:    250 USDC (250000000)");
  });

  it("maintenance: an order nobody accepts expires after a time travel, and the payer withdraws the refund", async function () {
    const order = await run(["maintenance", "order"], {
      asset: assetId,
      token: usdc,
      budget: "40.5",
      provider: provider.address,
      inspectors: inspector.address,
      acceptIn: "60",
      signer: "6",
    });
    const orderId = /order (0x[0-9a-f]{64}) created/.exec(order)![1];
    await run(["local", "time-travel"], { seconds: "120" });
    expect(await run(["maintenance", "expire"], { order: orderId })).to.match(/state: +Expired/);
    const refund = await run(["maintenance", "withdraw"], { asset: assetId, token: usdc, signer: "6" });
    expect(refund).to.contain(`withdrew 40.5 USDC (40500000) to ${issuer.address}`);
  });

  it("income: a buyout retires an asset and a holder redeems", async function () {
    const out = await run(["assets", "register"], {
      salt: "buyout",
      class: "charger",
      jurisdiction: "NL",
      signer: "6",
    });
    const sold = /asset (\d+) registered/.exec(out)![1];
    await run(["assets", "create-shares"], { asset: sold, name: "Charger", symbol: "CHG", decimals: "0", signer: "6" });
    await run(["assets", "mint"], { asset: sold, to: issuer.address, amount: "10", signer: "6" });
    await suite.payoutToken.mint(issuer.address, 1_000_000_000n);
    const buyout = await run(["income", "buyout"], { asset: sold, token: usdc, amount: "1000", signer: "6" });
    expect(buyout).to.contain(`asset ${sold} retired by buyout: proceeds 1000 USDC (1000000000)`);
    expect(await run(["assets", "status"], { asset: sold })).to.match(/status: +Retired/);
    const redeem = await run(["income", "redeem"], { asset: sold, signer: "6" });
    expect(redeem).to.contain(`1000 USDC (1000000000) paid to ${issuer.address}`);
  });
});
