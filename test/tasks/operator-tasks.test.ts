/**
 * The operator tasks (`npx hardhat <part> <action>`, scripts/operator/): help, happy paths of a few
 * parts on the real suite (addresses from a deployment record), and the safety rails. Tasks run
 * in-process (./harness.ts); help and the missing --network run the real command line.
 */
import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import hre, { network } from "hardhat";
import { ArgumentType } from "hardhat/types/arguments";
import { simulatedDevice } from "../../scripts/operator/devices/lib.js";
import { stateLine } from "../../scripts/operator/rental/lib.js";
import { ACTIONS, defaultsCleared, NO_DEFAULT } from "../../scripts/operator/tasks.js";
import { CI_VARIABLES } from "../../scripts/operator/kernel.js";
import { hardhatCli, runTask, suiteWithRecord, type Suite } from "./harness.js";

const connection = await network.getOrCreate();
const { ethers } = connection;
const signers = await ethers.getSigners();
const [, governance, , , manufacturer, , issuer, , renter] = signers;
/** Hardhat's default account 1 (governance here). */
const GOVERNANCE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const SEED = ethers.id("plinth-device-simulator");
/** The error line of a failed task (after "signing as ..."). */
const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

describe("operator tasks (scripts/operator)", function () {
  let suite: Suite;
  let dir: string;
  let record: string;
  let assetId: bigint;

  before(async function () {
    ({ suite, dir, record } = await suiteWithRecord(connection));
  });

  const run = (
    id: string[],
    args: Record<string, string | boolean | undefined>,
    env?: Record<string, string | undefined>,
  ) => runTask(id, { deployment: record, ...args }, { env });

  describe("help", function () {
    it("lists a group's actions and describes an action's options", function () {
      const group = hardhatCli(["governance", "--help"]);
      expect(group.status, group.stderr).to.equal(0);
      for (const action of ["allowlist", "fees", "manufacturer-approve", "role-grant", "role-check"]) {
        expect(group.stdout).to.contain(`governance ${action}`);
      }
      const action = hardhatCli(["devices", "register", "--help"]);
      expect(action.status, action.stderr).to.equal(0);
      for (const option of ["--keys", "--manufacturer", "--allow-partial", "--signer", "--deployment", "--registry"]) {
        expect(action.stdout).to.contain(option);
      }
    });

    it("every action of scripts/operator/tasks.ts: a task with a description, its exported action, a placeholder and a default per option", async function () {
      let count = 0;
      for (const [part, specs] of Object.entries(ACTIONS)) {
        const module = (await import(`../../scripts/operator/${part}/actions.js`)) as Record<string, unknown>;
        for (const spec of specs) {
          count++;
          const where = `${part} ${spec.name}`;
          const task = hre.tasks.getTask([part, spec.name]);
          expect(task.description, where).to.not.equal("");
          const exported = spec.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
          expect(module[exported], `${where}: actions.ts exports ${exported}`).to.be.a("function");
          for (const [name, option] of task.options) {
            if (option.type === ArgumentType.FLAG) continue;
            // Hardhat's help prints the type as the placeholder: never STRING_WITHOUT_DEFAULT.
            expect([ArgumentType.STRING, ArgumentType.FILE], `${where} --${name}`).to.include(option.type);
            expect(option.defaultValue, `${where} --${name}`).to.be.a("string").and.not.equal("");
            expect(option.description, `${where} --${name}: its default shown once`).to.not.match(/\(default/);
          }
          expect(task.options.get("signer")?.defaultValue, where).to.equal("0");
        }
      }
      expect(count).to.equal(75); // a new action is added here too, with its help
      // An option left at its shown default reaches the action as "" (the actions' "not given").
      const claim = ACTIONS.rental.find((s) => s.name === "claim")!;
      expect(
        defaultsCleared(claim, {
          agreement: NO_DEFAULT,
          amount: "5",
          evidence: "dent",
          signer: "0",
          escrow: "the deployment record's",
        }),
      ).to.deep.equal({ agreement: "", amount: "5", evidence: "dent", signer: "", escrow: "" });
    });

    it("an action's help shows a placeholder and a default for every option; the groups list the new actions", function () {
      const help = hardhatCli(["rental", "claim", "--help"]);
      expect(help.status, help.stderr).to.equal(0);
      expect(help.stdout).to.not.contain("WITHOUT_DEFAULT");
      expect(help.stdout).to.not.contain("(default: )");
      expect(help.stdout).to.contain("[--amount <STRING>]");
      expect(help.stdout).to.contain("[--deployment <FILE>]");
      expect(help.stdout).to.match(/--agreement +agreement id \(bytes32\) \(default: none\)$/m);
      expect(help.stdout).to.match(/--signer +who signs: .* \(default: 0\)$/m);
      expect(help.stdout).to.match(/--escrow +RentalEscrow address \(default: the deployment record's\)$/m);
      const rental = hardhatCli(["rental", "--help"]);
      for (const action of [
        "decline",
        "cancel-reservation",
        "resolve-timeout",
        "cancel-offer",
        "cancel-nonce",
        "withdraw-to",
      ]) {
        expect(rental.stdout).to.contain(`rental ${action}`);
      }
      const maintenance = hardhatCli(["maintenance", "--help"]);
      for (const action of ["cancel", "challenge", "rule", "resolve-timeout", "withdraw-bids"]) {
        expect(maintenance.stdout).to.contain(`maintenance ${action}`);
      }
    });

    it("a state-changing task without --network is one error line and exit code 1 (no stack trace)", function () {
      const r = hardhatCli(["governance", "allowlist", "--token", suite === undefined ? "" : ethers.ZeroAddress]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^error: no network chosen: pass --network <name>/m);
      expect(r.stderr).to.not.match(/\n\s+at /);
    });
  });

  describe("governance", function () {
    it("allowlist: a payout token on the distributor, the rental market and the maintenance escrow, printed with its symbol and decimals", async function () {
      const eur = await ethers.deployContract("MockPayoutToken", ["Euro Coin", "EURC", 6]);
      const token = await eur.getAddress();
      const first = await run(["governance", "allowlist"], { token, signer: "1" });
      expect(first.ok, first.stderr).to.equal(true);
      expect(first.stderr).to.contain(`signing as ${governance.address} (account 1)`);
      expect(first.stdout).to.contain(`IncomeDistributor: EURC (${token}, 6 decimals) allowed (was not allowed)`);
      expect(first.stdout).to.contain("RentalMarket: EURC");
      expect(first.stdout).to.contain("MaintenanceOrders: EURC");
      expect(await suite.distributor.isPayoutToken(token)).to.equal(true);
      expect(await suite.rentalMarket.tokenAllowed(token)).to.equal(true);
      expect(await suite.escrow.tokenAllowed(token)).to.equal(true);

      // The governance role from its key (PLINTH_GOVERNANCE_KEY), and a re-run sends nothing.
      const again = await run(
        ["governance", "allowlist"],
        { token, signer: "governance" },
        { PLINTH_GOVERNANCE_KEY: GOVERNANCE_KEY },
      );
      expect(again.ok, again.stderr).to.equal(true);
      expect(again.stderr).to.contain(`signing as ${governance.address} (governance, key PLINTH_GOVERNANCE_KEY)`);
      expect(again.stdout).to.contain("already allowed: nothing sent");

      const removed = await run(["governance", "allowlist"], { token, on: "rental", remove: true, signer: "1" });
      expect(removed.ok, removed.stderr).to.equal(true);
      expect(removed.stdout).to.contain("RentalMarket: EURC");
      expect(await suite.rentalMarket.tokenAllowed(token)).to.equal(false);
      expect(await suite.distributor.isPayoutToken(token)).to.equal(true);
    });

    it("roles: check, grant and revoke by name", async function () {
      const args = { contract: "AssetRegistry", role: "ISSUER_ROLE", account: renter.address };
      expect((await run(["governance", "role-check"], args)).stdout).to.contain("does not hold ISSUER_ROLE");
      const grant = await run(["governance", "role-grant"], { ...args, signer: "1" });
      expect(grant.ok, grant.stderr).to.equal(true);
      expect(await suite.assets.hasRole(await suite.assets.ISSUER_ROLE(), renter.address)).to.equal(true);
      const revoke = await run(["governance", "role-revoke"], { ...args, signer: "1" });
      expect(revoke.ok, revoke.stderr).to.equal(true);
      expect(await suite.assets.hasRole(await suite.assets.ISSUER_ROLE(), renter.address)).to.equal(false);
    });
  });

  describe("devices and assets", function () {
    it("register from public keys (SEC1, PEM, JWK), claim, bind to an asset, status", async function () {
      const sim = simulatedDevice(SEED, 1, "mixed"); // P-256
      const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" });
      const jwk = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey.export({ format: "jwk" });
      const csv = [
        "key,model,firmwareHash,serialHash",
        `p256:0x04${sim.keyA.slice(2)}${sim.keyB.slice(2)},meter-1,fw-1,serial-1`,
        `"${String(pem).trim()}",meter-1,fw-1,serial-2`,
        `"${JSON.stringify(jwk).replace(/"/g, '""')}",meter-1,fw-1,serial-3`,
      ].join("\n");
      const keys = join(dir, "devices.csv");
      await writeFile(keys, csv);
      const reg = await run(["devices", "register"], { keys, signer: "4" });
      expect(reg.ok, reg.stderr).to.equal(true);
      expect(reg.stdout.match(/^row \d: 0x[0-9a-f]{64} \(\d+\) (p256|secp256k1) registered$/gm)?.length).to.equal(3);
      expect(reg.stdout).to.contain(`(${sim.deviceId}) p256 registered`);

      const claim = await run(["devices", "claim"], {
        device: String(sim.deviceId),
        owner: issuer.address,
        simIndex: "1",
      });
      expect(claim.ok, claim.stderr).to.equal(true);
      expect(claim.stdout).to.contain(`claimed: its token now belongs to ${issuer.address}`);

      const asset = await run(["assets", "register"], {
        salt: "tasks-asset",
        class: "solar",
        jurisdiction: "DE",
        metadataUri: "ipfs://asset",
        signer: "6",
      });
      expect(asset.ok, asset.stderr).to.equal(true);
      assetId = BigInt(/asset (\d+) registered/.exec(asset.stdout)![1]);

      const shares = await run(["assets", "create-shares"], {
        asset: String(assetId),
        name: "Farm",
        symbol: "FARM",
        decimals: "18",
        signer: "6",
      });
      expect(shares.ok, shares.stderr).to.equal(true);
      const investors = join(dir, "investors.csv");
      await writeFile(investors, `wallet,country,expiry\n${issuer.address},276,2100-01-01\n`);
      const onboard = await run(["assets", "onboard"], { investors, signer: "2" });
      expect(onboard.ok, onboard.stderr).to.equal(true);
      const mint = await run(["assets", "mint"], {
        asset: String(assetId),
        to: issuer.address,
        amount: "1000",
        signer: "6",
      });
      expect(mint.ok, mint.stderr).to.equal(true);
      expect(mint.stdout).to.contain(`minted  ${issuer.address} 1000 FARM`);
      const twice = await run(["assets", "mint"], {
        asset: String(assetId),
        to: issuer.address,
        amount: "1000",
        signer: "6",
      });
      expect(twice.ok).to.equal(false);
      expect(twice.stderr).to.contain("already hold at least the amount to mint");

      const bind = await run(["devices", "bind"], {
        device: String(sim.deviceId),
        asset: String(assetId),
        signer: "6",
      });
      expect(bind.ok, bind.stderr).to.equal(true);
      expect(bind.stdout).to.contain(`bound to asset ${assetId}: Active, asset ${assetId}`);

      const status = await run(["devices", "status"], { device: String(sim.deviceId) });
      expect(status.ok, status.stderr).to.equal(true);
      expect(status.stdout).to.match(/status: +Active/);
      expect(status.stdout).to.contain(`owner:        ${issuer.address}`);
      expect(status.stdout).to.match(new RegExp(`asset: +${assetId}`));

      const assetStatus = await run(["assets", "status"], { asset: String(assetId) });
      expect(assetStatus.stdout).to.match(/status: +Active/);
      expect(assetStatus.stdout).to.contain("class:        solar, jurisdiction DE");
    });

    it("a device claim without a signature prints the digest the device signs and sends nothing", async function () {
      const sim = simulatedDevice(SEED, 0, "mixed");
      // not registered: refused before anything is printed or sent
      const r = await run(["devices", "claim"], { device: String(sim.deviceId) });
      expect(r.ok).to.equal(false);
      expect(lastLine(r.stderr)).to.match(/^error: device 0x[0-9a-f]{64} \(\d+\) is not registered$/);
    });
  });

  describe("rental", function () {
    it("offer, rent, and a status in token units with named states", async function () {
      const usdc = await suite.payoutToken.getAddress();
      const termsFile = join(dir, "terms.json");
      await writeFile(
        termsFile,
        JSON.stringify({
          subjectKind: 1,
          subjectId: String(assetId),
          token: usdc,
          pricePerSecond: "1000",
          deposit: "5000000",
        }),
      );
      const offer = await run(["rental", "offer"], { terms: termsFile, signer: "6" });
      expect(offer.ok, offer.stderr).to.equal(true);
      expect(offer.stdout).to.contain("deposit 5 USDC (5000000)");
      expect(offer.stdout).to.contain(`warning: asset ${assetId} does not take income in USDC yet`);
      const offerId = /offer (0x[0-9a-f]{64}) published/.exec(offer.stdout)![1];

      await suite.payoutToken.mint(renter.address, 100_000_000n);
      const early = await run(["rental", "rent"], { offer: offerId, duration: "3600", prepay: "10 USDC", signer: "8" });
      expect(early.ok).to.equal(false);
      expect(early.stderr).to.contain("IncomeNotAccepted): its agent runs income register-token");
      const income = await run(["income", "register-token"], { asset: String(assetId), token: usdc, signer: "6" });
      expect(income.ok, income.stderr).to.equal(true);
      expect(income.stdout).to.contain("now takes income in USDC");
      const rent = await run(["rental", "rent"], { offer: offerId, duration: "3600", prepay: "10 USDC", signer: "8" });
      expect(rent.ok, rent.stderr).to.equal(true);
      expect(rent.stdout).to.contain("prepay 10 USDC (10000000), deposit 5 USDC (5000000), 3600 s");
      const agreement = /agreement (0x[0-9a-f]{64}) opened/.exec(rent.stdout)![1];

      const status = await run(["rental", "status"], { agreement });
      expect(status.ok, status.stderr).to.equal(true);
      expect(status.stdout).to.match(/state: +(Reserved|Active)/);
      expect(status.stdout).to.contain("deposit held: 5 USDC (5000000)");
      expect(status.stdout).to.contain("price:        0.001 USDC (1000) per second");
      expect(status.stdout).to.contain(`renter:       ${renter.address}`);
    });

    it("status names a state once: its end reason only when it says more, a number only when unknown", function () {
      expect(stateLine(3, 2)).to.equal("TerminatedEarly"); // not "TerminatedEarly (TerminatedEarly)"
      expect(stateLine(6, 0)).to.equal("Ended");
      expect(stateLine(4, 3)).to.equal("Settling (Defaulted)");
      expect(stateLine(5, 5)).to.equal("Closed (Declined)");
      expect(stateLine(9, 0)).to.equal("unknown state 9");
      expect(stateLine(5, 9)).to.equal("Closed (unknown end reason 9)");
    });

    it("refuses a terms JSON with an unknown key before connecting", async function () {
      const termsFile = join(dir, "typo.json");
      await writeFile(termsFile, JSON.stringify({ subjectKind: 1, subjectId: "1", depossit: "5" }));
      const r = await run(["rental", "offer"], { terms: termsFile, signer: "6" });
      expect(r.ok).to.equal(false);
      expect(r.stderr).to.contain("error: ");
      expect(r.stderr).to.contain('unknown key "depossit"');
    });

    it("refuses terms without a price per second or a deposit: no money default fits every token's decimals", async function () {
      const termsFile = join(dir, "no-money.json");
      await writeFile(termsFile, JSON.stringify({ subjectKind: 1, subjectId: "1", pricePerSecond: "10" }));
      const r = await run(["rental", "offer"], { terms: termsFile, signer: "6" });
      expect(r.ok).to.equal(false);
      expect(r.stderr).to.match(/^error: .*no-money\.json: terms need deposit in base units of the token/m);
    });
  });

  describe("safety rails", function () {
    it("refuses the in-process chain without --network (and ALLOW_IN_PROCESS)", async function () {
      const r = await runTask(["devices", "suspend"], { deployment: record, device: "1" }, { inProcess: false });
      expect(r.ok).to.equal(false);
      expect(r.stderr).to.match(/^error: no network chosen: pass --network <name>/);
    });

    it("refuses a bad signer: an index out of range, an unknown role, a malformed role key", async function () {
      const range = await run(["governance", "role-check"], {
        contract: "AssetRegistry",
        role: "ISSUER_ROLE",
        signer: "99",
      });
      expect(range.ok).to.equal(false);
      expect(range.stderr).to.match(/error: --signer 99: the network has \d+ accounts/);
      // Outside CI (where Hardhat reads its keystore): CI runs of this suite set CI, which changes the advice.
      const role = await run(
        ["governance", "role-check"],
        { contract: "AssetRegistry", role: "ISSUER_ROLE", signer: "auditor" },
        Object.fromEntries(CI_VARIABLES.map((name) => [name, undefined])),
      );
      expect(role.ok).to.equal(false);
      expect(role.stderr).to.contain("error: --signer auditor: set PLINTH_AUDITOR_KEY to its private key");
      const key = await run(
        ["governance", "role-check"],
        { contract: "AssetRegistry", role: "ISSUER_ROLE", signer: "governance" },
        { PLINTH_GOVERNANCE_KEY: "0x1234" },
      );
      expect(key.ok).to.equal(false);
      expect(key.stderr).to.contain("error: PLINTH_GOVERNANCE_KEY is not a private key");
    });

    it("refuses an EOA or another contract given as a contract address, before sending", async function () {
      const eoa = await run(["devices", "suspend"], { device: "1", registry: renter.address });
      expect(eoa.ok).to.equal(false);
      expect(lastLine(eoa.stderr)).to.equal(
        `error: no contract code at ${renter.address} (--registry) (an EOA or wrong network?)`,
      );
      const other = await run(["devices", "suspend"], { device: "1", registry: await suite.distributor.getAddress() });
      expect(other.ok).to.equal(false);
      expect(other.stderr).to.match(
        /error: 0x[0-9a-fA-F]{40} \(--registry\) is not a DeviceRegistry: supportsInterface\(0x[0-9a-f]{8}\) \(IDeviceRegistry\) is false/,
      );
    });

    it("refuses a deployment record of another chain", async function () {
      const other = join(dir, "1.json");
      await writeFile(other, JSON.stringify({ chainId: 1, contracts: {} }));
      const r = await runTask(["devices", "status"], { deployment: other, device: "1" });
      expect(r.ok).to.equal(false);
      expect(r.stderr).to.equal(`error: deployment record ${other} is for chain 1 but the network is chain 31337`);
    });

    it("names a contract's refusal from its revert data (one line)", async function () {
      const r = await run(["governance", "manufacturer-revoke"], { manufacturer: manufacturer.address, signer: "8" });
      expect(r.ok).to.equal(false);
      expect(r.stderr).to.match(/^signing as .*\nerror: .*AccessControlUnauthorizedAccount\(/);
    });
  });

  describe("local", function () {
    it("deploys a test stablecoin with decimals and travels in time", async function () {
      const coin = await run(["local", "stablecoin"], { symbol: "tEUR", decimals: "2", amount: "12.5" });
      expect(coin.ok, coin.stderr).to.equal(true);
      expect(coin.stdout).to.contain("(tEUR, 2 decimals) deployed at");
      expect(coin.stdout).to.contain(`minted 12.5 tEUR (1250) to ${signers[0].address}`);
      const before = (await ethers.provider.getBlock("latest"))!.timestamp;
      const travel = await run(["local", "time-travel"], { seconds: "3600" });
      expect(travel.ok, travel.stderr).to.equal(true);
      expect((await ethers.provider.getBlock("latest"))!.timestamp).to.be.gte(before + 3600);
      const both = await run(["local", "time-travel"], { seconds: "1", to: "1" });
      expect(both.ok).to.equal(false);
    });
  });
});
