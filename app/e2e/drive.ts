/**
 * The browser part of `npm run app:e2e`: each kind of user's screen in headless Chromium, what it shows
 * compared with the chain (read here with viem and the client's ABIs), a write per screen and a refused
 * action per screen whose custom error must be shown decoded, a screenshot per screen.
 *
 * Between screens this script acts as the rest of the world through the chain directly: the meter
 * device signs readings (the client's device signer), the asset agent deposits income and orders a repair.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { chromium as playwright, type Page } from "playwright-core";
import {
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  erc20Abi,
  http,
  keccak256,
  parseUnits,
  stringToHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { hardhat } from "viem/chains";
import { mnemonicToAccount } from "viem/accounts";
import {
  abis,
  assetSharesAbi,
  decodeRevertData,
  deviceRegistryAbi,
  eip712,
  enums,
  identityRegistryAbi,
  incomeDistributorAbi,
  maintenanceCustodyAbi,
  maintenanceOrdersAbi,
  rentalEscrowAbi,
  rentalMarketAbi,
  rentalMeterAbi,
  shareFactoryAbi,
  signers,
} from "@plinth/client";
import { readFileSync } from "node:fs";

interface Options {
  chromium: string;
  rpcUrl: string;
  appUrl: string;
  indexerUrl?: string;
  shots: string;
  root: string;
  log: (message: string) => void;
}

const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i });
const AGENT = 6;
const INVESTOR = 8;
const RENTER = 10;
const PROVIDER = 11;
const STRANGER = 12;
const KIND_ENERGY = enums.ReadingKinds.ENERGY_WH;
const DEVICE_SEED = keccak256(stringToHex("plinth.e2e.devices"));

export async function drive(o: Options): Promise<void> {
  const chain = { ...hardhat, rpcUrls: { default: { http: [o.rpcUrl] } } };
  const client = createPublicClient({ chain, transport: http(o.rpcUrl) });
  const walletOf = (i: number) => createWalletClient({ account: account(i), chain, transport: http(o.rpcUrl) });
  const record = JSON.parse(readFileSync(join(o.root, "deployments", "31337.json"), "utf8")) as {
    fromBlock: number;
    contracts: Record<string, { address: Address }>;
  };
  const at = (name: string) => record.contracts[name]!.address;
  const fromBlock = BigInt(record.fromBlock);

  /** Sends a write as account `i` and waits for it (the world acting between screens). */
  async function send(i: number, address: Address, abi: Abi, functionName: string, args: unknown[]) {
    const { request } = await client.simulateContract({
      account: account(i),
      address,
      abi,
      functionName,
      args,
    } as never);
    const hash = await walletOf(i).writeContract(request as never);
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success", `${functionName} reverted`);
    return receipt;
  }

  /** The custom error a call gets from the contract, decoded here (the reference for what the page shows). */
  async function refusal(
    i: number,
    address: Address,
    abi: Abi,
    functionName: string,
    args: unknown[],
  ): Promise<string> {
    try {
      await client.simulateContract({ account: account(i), address, abi, functionName, args } as never);
    } catch (error) {
      for (let e = error as { raw?: Hex; cause?: unknown } | undefined; e; e = e.cause as never) {
        if (typeof e.raw === "string") {
          const decoded = decodeRevertData(e.raw);
          assert.ok(decoded !== undefined, `undecodable revert ${e.raw}`);
          // Also what viem itself decodes with the ABI: the same name.
          assert.equal(
            decodeErrorResult({ abi: Object.values(abis).flat() as Abi, data: e.raw }).errorName,
            decoded.name,
          );
          return decoded.name;
        }
      }
      throw error;
    }
    throw new Error(`${functionName} was not refused`);
  }

  // -------------------------------------------------------------------------------- chain facts
  const [created] = await client.getContractEvents({
    address: at("ShareFactory"),
    abi: shareFactoryAbi,
    eventName: "SharesCreated",
    fromBlock,
  });
  const assetId = created!.args.assetId!;
  const shares = created!.args.shares!;
  const [usd] = await client.readContract({
    address: at("IncomeDistributor"),
    abi: incomeDistributorAbi,
    functionName: "payoutTokensOf",
    args: [assetId],
  });
  const token = usd!;
  const claimedDevices = await client.getContractEvents({
    address: at("DeviceRegistry"),
    abi: deviceRegistryAbi,
    eventName: "DeviceClaimed",
    args: { owner: account(AGENT).address },
    fromBlock,
  });
  const deviceIds = claimedDevices.map((l) => l.args.deviceId!);
  o.log(
    `chain: asset ${assetId.toString().slice(0, 12)}…, shares ${shares}, payout token ${token}, ${deviceIds.length} devices`,
  );

  // --------------------------------------------------------------------------------- the browser
  const browser = await playwright.launch({
    executablePath: o.chromium,
    headless: process.env.APP_E2E_HEADED !== "1",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const consoleErrors: string[] = [];
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  const query = new URLSearchParams({ rpc: o.rpcUrl, poll: "700" });
  if (o.indexerUrl !== undefined) query.set("indexer", o.indexerUrl);
  else query.set("source", "chain");

  async function open(screen: string, as: number) {
    query.set("as", String(as));
    await page.goto(`${o.appUrl}/?${query}#${screen}`);
    await page.getByTestId(`screen-${screen}`).waitFor();
    const status = page.getByTestId("status");
    await expectAttr(status, "data-account", account(as).address);
    await poll(
      "lists source",
      () => status.getAttribute("data-source"),
      o.indexerUrl !== undefined ? "indexer" : "chain logs",
    );
    o.log(`${screen}: acting as #${as} ${account(as).address}; lists from ${await status.getAttribute("data-source")}`);
  }

  async function shot(screen: string) {
    await page.screenshot({ path: join(o.shots, `${screen}.png`), fullPage: true });
    o.log(`${screen}: screenshot reports/app/${screen}.png`);
  }

  /** Clicks, then waits for the action's outcome: done, or refused with a decoded error name. */
  async function act(button: ReturnType<Page["getByTestId"]>, id: string, expect: "done" | { refused: string }) {
    await button.click();
    const done = page.getByTestId(`${id}-done`);
    const error = page.getByTestId(`${id}-error`);
    await done.or(error).waitFor({ timeout: 30_000 });
    if (expect === "done") {
      if (await error.isVisible()) throw new Error(`${id}: refused: ${await error.textContent()}`);
      o.log(`  ${id}: ${await done.textContent()}`);
    } else {
      if (!(await error.isVisible())) throw new Error(`${id}: expected a refusal, got: ${await done.textContent()}`);
      assert.equal(await error.getAttribute("data-error-name"), expect.refused, `${id}: decoded error`);
      o.log(`  ${id}: ${await error.textContent()}`);
    }
  }

  try {
    // ============================================================================== operator (#6)
    await open("operator", AGENT);
    const rows = page.getByTestId("device-row");
    await waitCount(rows, deviceIds.length);
    for (const deviceId of deviceIds) await checkDevice(deviceId);
    const first = deviceIds[0]!;
    const readings = await client.getContractEvents({
      address: at("DeviceRegistry"),
      abi: deviceRegistryAbi,
      eventName: "AttestationAccepted",
      args: { deviceId: first, kind: KIND_ENERGY },
      fromBlock,
    });
    await expectAttr(page.getByTestId("readings-chart"), "data-points", String(readings.length));
    o.log(`operator: ${deviceIds.length} devices as on chain; chart of ${readings.length} readings`);
    // Write: register and claim a new device (P-256 key made in the browser), then bind it.
    await act(page.getByTestId("register-device"), "register", "done");
    await waitCount(rows, deviceIds.length + 1);
    const after = await client.getContractEvents({
      address: at("DeviceRegistry"),
      abi: deviceRegistryAbi,
      eventName: "DeviceClaimed",
      args: { owner: account(AGENT).address },
      fromBlock,
    });
    const fresh = after.map((l) => l.args.deviceId!).find((id) => !deviceIds.includes(id))!;
    assert.ok(fresh !== undefined, "a new device was claimed by the operator");
    const [keyType] = await client.readContract({
      address: at("DeviceRegistry"),
      abi: deviceRegistryAbi,
      functionName: "deviceInfo",
      args: [fresh],
    });
    assert.equal(keyType, enums.KeyType.P256);
    // Refused: bind to an asset that does not exist.
    const missingAsset = 12345n;
    const expectedBind = await refusal(AGENT, at("DeviceRegistry"), deviceRegistryAbi as Abi, "bindToAsset", [
      fresh,
      missingAsset,
    ]);
    await page.getByTestId("bind-asset").fill(missingAsset.toString());
    await act(page.getByTestId("bind-device"), "bind", { refused: expectedBind });
    // Write: bind it to the asset.
    await page.getByTestId("bind-asset").fill(assetId.toString());
    await act(page.getByTestId("bind-device"), "bind", "done");
    assert.equal(
      await client.readContract({
        address: at("DeviceRegistry"),
        abi: deviceRegistryAbi,
        functionName: "assetOf",
        args: [fresh],
      }),
      assetId,
    );
    await checkDevice(fresh);
    // Back to the metering device: its readings over time.
    await page.locator(`[data-testid=device-row][data-device-id="${first}"]`).click();
    await expectAttr(page.getByTestId("readings-chart"), "data-points", String(readings.length));
    await shot("operator");

    // ============================================================================== renter (#10)
    await open("renter", RENTER);
    const agreements = await client.getContractEvents({
      address: at("RentalEscrow"),
      abi: rentalEscrowAbi,
      eventName: "AgreementOpened",
      args: { renter: account(RENTER).address },
      fromBlock,
    });
    assert.equal(agreements.length, 1, "the scenario's agreement");
    const agreementId = agreements[0]!.args.id!;
    const card = page.locator(`[data-testid=agreement][data-id="${agreementId}"]`);
    await card.waitFor();
    await checkAgreement(agreementId);
    const offers = await client.getContractEvents({
      address: at("RentalMarket"),
      abi: rentalMarketAbi,
      eventName: "OfferPublished",
      fromBlock,
    });
    const offerId = offers[0]!.args.offerId!;
    const offer = await client.readContract({
      address: at("RentalMarket"),
      abi: rentalMarketAbi,
      functionName: "offerOf",
      args: [offerId],
    });
    const offerRow = page.locator(`[data-testid=offer-row][data-offer-id="${offerId}"]`);
    if (offer.active) {
      const terms = await client.readContract({
        address: at("RentalEscrow"),
        abi: rentalEscrowAbi,
        functionName: "termsOf",
        args: [offer.termsHash],
      });
      await expectAttr(offerRow.locator("[data-field=price-per-unit]"), "data-value", terms.pricePerUnit.toString());
      // Refused: the asset is already rented (one live agreement per subject).
      const prepay = parseUnits("500", 6);
      await send(RENTER, token, erc20Abi, "approve", [at("RentalEscrow"), prepay + terms.deposit]);
      const expectedRent = await refusal(RENTER, at("RentalMarket"), rentalMarketAbi as Abi, "rent", [
        offerId,
        86_400n,
        prepay,
      ]);
      await act(offerRow.getByTestId("rent"), "rent", { refused: expectedRent });
    } else {
      assert.equal(await offerRow.count(), 0, "an inactive offer is not listed");
    }
    // The meter reports: the bill grows as the device's signed readings arrive.
    const unsettled = card.locator("[data-field=unsettled-units]");
    const before = BigInt((await unsettled.getAttribute("data-value")) ?? "0");
    for (const wh of [400n, 600n]) {
      await attest(0, KIND_ENERGY, wh);
      await expectAttr(unsettled, "data-value", String(before + wh + (wh === 600n ? 400n : 0n)));
    }
    const settledLogs = async () =>
      (
        await client.getContractEvents({
          address: at("RentalEscrow"),
          abi: rentalEscrowAbi,
          eventName: "MeterSettled",
          args: { id: agreementId },
          fromBlock,
        })
      ).length;
    const billChart = card.getByTestId("bill-chart");
    await expectAttr(billChart, "data-points", String((await settledLogs()) + 1)); // settlements + the live bill
    o.log(`renter: unsettled metered units grew ${before} -> ${before + 1000n} Wh from two device readings`);
    await checkAgreement(agreementId);
    // Write: pay 25 eUSD into the agreement.
    const credit0 = (await agreement(agreementId)).credit;
    await card.getByTestId("pay-amount").fill("25");
    await act(card.getByTestId("pay"), "pay", "done");
    const credit1 = (await agreement(agreementId)).credit;
    assert.ok(credit1 > credit0 || (await agreement(agreementId)).debt === 0n, "paying adds credit");
    // Write: settle the meter: the 1,000 Wh are billed.
    const billed0 = (await meterOf(agreementId)).billed;
    await act(card.getByTestId("settle"), "settle", "done");
    const m1 = await meterOf(agreementId);
    assert.equal(m1.billed - billed0, 1000n, "1,000 Wh billed");
    await expectAttr(card.locator("[data-field=billed-units]"), "data-value", m1.billed.toString());
    await expectAttr(unsettled, "data-value", "0");
    await expectAttr(billChart, "data-points", String(await settledLogs()));
    await checkAgreement(agreementId);
    await shot("renter");

    // ============================================================================== investor (#8)
    // The asset's agent deposits income, so the investor has something to claim.
    const income = parseUnits("1000", 6);
    await send(AGENT, token, erc20Abi, "approve", [at("IncomeDistributor"), income]);
    await send(AGENT, at("IncomeDistributor"), incomeDistributorAbi as Abi, "deposit", [assetId, token, income]);
    await open("investor", INVESTOR);
    const investor = account(INVESTOR).address;
    const verified = await client.readContract({
      address: at("IdentityRegistry"),
      abi: identityRegistryAbi,
      functionName: "isVerified",
      args: [investor],
    });
    await expectAttr(page.getByTestId("compliance"), "data-verified", verified ? "1" : "0");
    const holding = page.locator(`[data-testid=holding-row][data-asset-id="${assetId}"]`);
    const balance = await client.readContract({
      address: shares,
      abi: assetSharesAbi,
      functionName: "balanceOf",
      args: [investor],
    });
    await expectAttr(holding.locator("[data-field=balance]"), "data-value", balance.toString());
    const claimable = await client.readContract({
      address: at("IncomeDistributor"),
      abi: incomeDistributorAbi,
      functionName: "claimableOf",
      args: [assetId, token, investor],
    });
    assert.ok(claimable > 0n, "income to claim");
    const claimRow = holding.locator(`[data-testid=claimable][data-token="${token}"]`);
    await expectAttr(claimRow, "data-value", claimable.toString());
    const deposits = await client.getContractEvents({
      address: at("IncomeDistributor"),
      abi: incomeDistributorAbi,
      eventName: "IncomeDeposited",
      args: { assetId },
      fromBlock,
    });
    await expectAttr(page.getByTestId("income-chart"), "data-points", String(deposits.length));
    o.log(`investor: balance ${balance}, claimable ${claimable}, ${deposits.length} deposits charted`);
    // Write: claim the income.
    const cash0 = await client.readContract({
      address: token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [investor],
    });
    await act(claimRow.getByTestId("claim"), "claim", "done");
    const cash1 = await client.readContract({
      address: token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [investor],
    });
    assert.equal(cash1 - cash0, claimable, "claimed exactly what was shown");
    await expectAttr(claimRow, "data-value", "0");
    const claimed = await client.getContractEvents({
      address: at("IncomeDistributor"),
      abi: incomeDistributorAbi,
      eventName: "IncomeClaimed",
      args: { holder: investor },
      fromBlock,
    });
    await expectAttr(page.getByTestId("claims"), "data-count", String(claimed.length));
    o.log(`investor: ${claimed.length} income claims listed as on chain`);
    // Refused: shares to a wallet no KYC agent onboarded.
    const stranger = account(STRANGER).address;
    const expectedTransfer = await refusal(INVESTOR, shares, assetSharesAbi as Abi, "transfer", [
      stranger,
      parseUnits("1", 18),
    ]);
    await page.getByTestId("transfer-to").fill(stranger);
    await page.getByTestId("transfer-amount").fill("1");
    await act(page.getByTestId("transfer"), "transfer", { refused: expectedTransfer });
    await shot("investor");

    // ============================================================================== maintenance (#11)
    // The asset's agent orders a repair from the reserve for the provider.
    const now = (await client.getBlock()).timestamp;
    await send(AGENT, at("MaintenanceOrders"), maintenanceOrdersAbi as Abi, "createOrder", [
      {
        assetId,
        deviceId: deviceIds[0]!,
        token,
        budget: parseUnits("60", 6),
        bond: parseUnits("5", 6),
        provider: account(PROVIDER).address,
        acceptBy: Number(now + 3600n),
        completeBy: Number(now + 7n * 86400n),
        fromReserve: true,
        slashTo: 1,
        policy: {
          arbiter: account(7).address,
          k: 1,
          useDevice: true,
          optimistic: false,
          cmp: enums.Comparator.EQ,
          defaultRuling: 1,
          kind: enums.ReadingKinds.SELF_TEST,
          threshold: 1n,
          challengeWindow: 0,
          disputeTimeout: 0,
        },
        inspectors: [],
        milestoneBps: [10_000],
        salt: keccak256(stringToHex("app-e2e-panel-cleaning")),
      },
    ]);
    await open("maintenance", PROVIDER);
    const orders = await client.getContractEvents({
      address: at("MaintenanceOrders"),
      abi: maintenanceOrdersAbi,
      eventName: "OrderCreated",
      fromBlock,
    });
    const mine = orders.filter((l) => l.args.provider === account(PROVIDER).address).map((l) => l.args.orderId!);
    assert.equal(mine.length, 2, "the scenario's order and the new one");
    await waitCount(page.getByTestId("order-row"), mine.length);
    for (const id of mine) await checkOrder(id);
    const [done, open_] = mine;
    // Refused: accepting the order that is already completed.
    const expectedAccept = await refusal(PROVIDER, at("MaintenanceOrders"), maintenanceOrdersAbi as Abi, "accept", [
      done,
    ]);
    await act(page.locator(`[data-testid=order-row][data-order-id="${done}"]`).getByTestId("accept"), "accept", {
      refused: expectedAccept,
    });
    // Write: accept the new order (the bond is approved first).
    await act(
      page.locator(`[data-testid=order-row][data-order-id="${open_}"]`).getByTestId("accept"),
      "accept",
      "done",
    );
    const accepted = await order(open_!);
    assert.equal(accepted.state, enums.OrderState.Active);
    await checkOrder(open_!);
    const payout = await client.readContract({
      address: at("MaintenanceCustody"),
      abi: maintenanceCustodyAbi,
      functionName: "claimable",
      args: [account(PROVIDER).address, assetId, token],
    });
    await expectAttr(page.getByTestId("payout-row").first(), "data-value", payout.toString());
    await shot("maintenance");

    assert.deepEqual(consoleErrors, [], "no uncaught error in the page");
  } catch (error) {
    await page.screenshot({ path: join(o.shots, "..", "tmp", "app-e2e-failure.png"), fullPage: true }).catch(() => {});
    o.log("failure screenshot: reports/tmp/app-e2e-failure.png");
    throw error;
  } finally {
    await browser.close();
  }

  // ------------------------------------------------------------------------------- helpers (hoisted)
  async function checkDevice(deviceId: bigint) {
    const row = page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`);
    const registry = at("DeviceRegistry");
    const [status, asset, latest] = await Promise.all([
      client.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "statusOf", args: [deviceId] }),
      client.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "assetOf", args: [deviceId] }),
      client.readContract({
        address: registry,
        abi: deviceRegistryAbi,
        functionName: "latestReading",
        args: [deviceId, KIND_ENERGY],
      }),
    ]);
    await expectText(row.locator("[data-field=status]"), enums.DeviceStatusNames[status]!);
    await expectAttr(row.locator("[data-field=asset]"), "data-value", asset.toString());
    await expectText(row.locator("[data-field=odometer]"), latest.odometer.toString());
  }

  function agreement(id: Hex) {
    return client.readContract({
      address: at("RentalEscrow"),
      abi: rentalEscrowAbi,
      functionName: "agreementOf",
      args: [id],
    });
  }

  /** An agreement's meter (mark, units measured and billed): kept by the escrow's RentalMeter. */
  function meterOf(id: Hex) {
    return client.readContract({
      address: at("RentalMeter"),
      abi: rentalMeterAbi,
      functionName: "meterOf",
      args: [id],
    });
  }

  async function checkAgreement(id: Hex) {
    const a = await agreement(id);
    const card = page.locator(`[data-testid=agreement][data-id="${id}"]`);
    await expectAttr(card.locator("[data-field=state]"), "data-value", String(a.state));
    await expectAttr(card.locator("[data-field=credit]"), "data-value", a.credit.toString());
    await expectAttr(card.locator("[data-field=earned]"), "data-value", a.earned.toString());
    await expectAttr(card.locator("[data-field=billed-units]"), "data-value", (await meterOf(id)).billed.toString());
  }

  function order(id: Hex) {
    return client.readContract({
      address: at("MaintenanceOrders"),
      abi: maintenanceOrdersAbi,
      functionName: "getOrder",
      args: [id],
    });
  }

  async function checkOrder(id: Hex) {
    const ord = await order(id);
    const row = page.locator(`[data-testid=order-row][data-order-id="${id}"]`);
    await expectAttr(row.locator("[data-field=state]"), "data-value", String(ord.state));
    await expectAttr(row.locator("[data-field=budget]"), "data-value", ord.budget.toString());
    await expectAttr(row.locator("[data-field=released]"), "data-value", ord.released.toString());
  }

  /** Device `index` of the e2e scenario signs a reading (the relayer is the operator). */
  async function attest(index: number, kind: number, value: bigint) {
    const registry = at("DeviceRegistry");
    const device = signers.devices.deterministicDeviceSigner(DEVICE_SEED, index, "secp256k1");
    const [counter, latest, block] = await Promise.all([
      client.readContract({
        address: registry,
        abi: deviceRegistryAbi,
        functionName: "lastCounter",
        args: [device.deviceId],
      }),
      client.readContract({
        address: registry,
        abi: deviceRegistryAbi,
        functionName: "latestReading",
        args: [device.deviceId, kind],
      }),
      client.getBlock(),
    ]);
    const message = eip712.devices.attestationMessage({
      deviceId: device.deviceId,
      kind,
      value,
      odometer: latest.odometer + value,
      payloadHash: keccak256(stringToHex(`app-e2e-${counter + 1n}`)),
      counter: counter + 1n,
      timestamp: block.timestamp,
    });
    const domain = eip712.devices.deviceDomain(31337, registry);
    const signature = await device.signDigest(eip712.devices.deviceDigest(domain, "Attestation", message));
    await send(AGENT, registry, deviceRegistryAbi as Abi, "attest", [message, signature]);
  }
}

type Locator = ReturnType<Page["locator"]>;

async function poll(what: string, read: () => Promise<string | null | number>, expected: string | number, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last: string | null | number = null;
  while (Date.now() < deadline) {
    last = await read().catch(() => null);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: expected ${expected}, the page shows ${last}`);
}

const describe = (l: Locator) => l.toString().replace(/^Locator@/, "");
const expectAttr = (l: Locator, name: string, expected: string) =>
  poll(`${describe(l)} [${name}]`, () => l.getAttribute(name, { timeout: 1000 }), expected);
const expectText = (l: Locator, expected: string) =>
  poll(describe(l), async () => (await l.textContent({ timeout: 1000 }))?.trim() ?? null, expected);
const waitCount = (l: Locator, n: number) => poll(`${describe(l)} count`, () => l.count(), n);
