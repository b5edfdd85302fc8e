/**
 * Rental CLI for owners and renters.
 *
 *   ESCROW=0x.. ACTION=<action> [...] npx hardhat run scripts/operator/rental/rental.ts --network <name>
 *
 * Environment:
 *   ESCROW        RentalEscrow address (required)
 *   ACTION        publish | sign | rent | rent-signed | activate | topup | pay-period | meter | collect |
 *                 terminate | settle | default | claim | accept | dispute | finalize | withdraw
 *   SIGNER        the acting account: index or address among the network's accounts (default 0;
 *                 SIGNER_INDEX is a deprecated alias)
 *   TERMS         path to a JSON file of RentalTerms (publish, sign); numbers may be strings; an unknown
 *                 key (a typo like "depossit") is refused, naming the allowed keys
 *   OFFER_ID      on-chain offer id (rent)
 *   OFFER_FILE    signed offer JSON: written by `sign` (with its chain id), read by `rent-signed` (refused
 *                 on another chain)
 *   EXPIRY        unix time the signed offer expires (sign; default now + 7 days)
 *   NONCE         signed offer nonce (sign; default 0)   RENTER  only this renter may fill (sign)
 *   DURATION      seconds of use (rent, rent-signed)     PREPAY  initial credit
 *   AGREEMENT     agreement id (every per-agreement action)
 *   AMOUNT        topup / claim amount                   SECONDS pay-period seconds
 *
 * Amounts (PREPAY, AMOUNT) are in the agreement's token (scripts/lib/units.ts): `12.5` or `12.5 eUSD`
 * is token units (a decimal point or the token's symbol), `12500000wei` / `12500000 base` or a plain
 * integer `12500000` is base units. The amount read is echoed, e.g. `PREPAY = 12.5 eUSD (12500000)`.
 *
 * Every action that sends a transaction prints what changed, from the escrow's events in the receipt
 * (`billed 500 units (carried 0) = 0.5 eUSD (500000)`, `settled (Ended): refund …`, `rent paid: …`).
 *   EVIDENCE      claim evidence: text hashed with keccak256 (claim)
 *   TOKEN         token to withdraw (withdraw; default ETH = 0x0)
 */
import { readFileSync, writeFileSync } from "node:fs";
import {
  operatorNetwork,
  requireChainId,
  requireCode,
  revertDataOf,
  runOperator,
  signerFromEnv,
  UserError,
} from "../../lib/cli.js";
import type { RentalTerms } from "../../../client/src/eip712/rental.js";
import { amountFromEnv, formatAmount } from "../../lib/units.js";
import * as rental from "./lib.js";

function need(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new rental.UserError(`set ${name} (see the header of this script)`);
  return v;
}

function big(name: string, fallback?: bigint): bigint {
  const v = process.env[name];
  if (v === undefined || v === "") {
    if (fallback === undefined) throw new rental.UserError(`set ${name} (see the header of this script)`);
    return fallback;
  }
  try {
    return BigInt(v);
  } catch {
    throw new rental.UserError(`${name} must be an integer, got "${v}"`);
  }
}

function readTerms(path: string): RentalTerms {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UserError(`cannot read the terms JSON "${path}": ${(error as Error).message.split("\n")[0]}`);
  }
  return rental.termsFromJson(raw, path);
}

await runOperator(async () => {
  const { ethers } = await operatorNetwork();
  try {
    await requireCode(ethers, need("ESCROW"), "ESCROW");
    const escrow = await ethers.getContractAt("RentalEscrow", need("ESCROW"));
    const market = () => rental.marketOf(escrow); // offers and renting: the escrow's market
    const signer = await signerFromEnv(ethers);
    const action = need("ACTION");
    const id = () => need("AGREEMENT");
    const amount = async (name: string) => amountFromEnv(ethers, await rental.tokenOf(escrow, id()), name);
    let receipt: Awaited<ReturnType<typeof rental.settle>> | undefined;
    console.log(`${action} as ${signer.address} ...`);
    switch (action) {
      case "publish": {
        const terms = readTerms(need("TERMS")); // refused before any call
        console.log(`offer id: ${await rental.publishTerms(await market(), signer, terms)}`);
        break;
      }
      case "sign": {
        const now = BigInt(Math.floor(Date.now() / 1000));
        const terms = readTerms(need("TERMS")); // refused before any call
        const signed = await rental.signTerms(await market(), signer, terms, {
          expiry: big("EXPIRY", now + 7n * 86400n),
          nonce: big("NONCE", 0n),
          renter: process.env.RENTER,
        });
        writeFileSync(
          need("OFFER_FILE"),
          JSON.stringify(
            { chainId: (await ethers.provider.getNetwork()).chainId, ...signed },
            (_, v) => (typeof v === "bigint" ? v.toString() : v),
            2,
          ),
        );
        console.log(`signed offer written to ${process.env.OFFER_FILE}`);
        break;
      }
      case "rent": {
        const offer = await (await market()).offerOf(need("OFFER_ID"));
        const token = (await escrow.termsOf(offer.termsHash)).token;
        const prepay = await amountFromEnv(ethers, token, "PREPAY");
        console.log(
          `agreement: ${await rental.rentOffer(await market(), signer, need("OFFER_ID"), big("DURATION"), prepay)}`,
        );
        break;
      }
      case "rent-signed": {
        const file = JSON.parse(readFileSync(need("OFFER_FILE"), "utf8")) as rental.SignedOfferFile;
        if (file.chainId !== undefined)
          await requireChainId(ethers, BigInt(file.chainId), `OFFER_FILE ${process.env.OFFER_FILE}`);
        const t = file.offer.terms as unknown as Record<string, string | number>;
        const terms = rental.termsFromJson(t, `OFFER_FILE ${process.env.OFFER_FILE}`);
        const signed = {
          signature: file.signature,
          offer: { ...file.offer, terms, nonce: BigInt(file.offer.nonce), expiry: BigInt(file.offer.expiry) },
        };
        const prepay = await amountFromEnv(ethers, terms.token, "PREPAY");
        console.log(`agreement: ${await rental.rentSigned(await market(), signer, signed, big("DURATION"), prepay)}`);
        break;
      }
      case "activate":
        receipt = await rental.activate(escrow, signer, id());
        break;
      case "topup":
        receipt = await rental.topUp(escrow, signer, id(), await amount("AMOUNT"));
        break;
      case "pay-period":
        receipt = await rental.payPeriod(escrow, signer, id(), big("SECONDS"));
        break;
      case "meter":
        receipt = await rental.settleMetered(escrow, signer, id());
        break;
      case "collect":
        receipt = await rental.collect(escrow, signer, id());
        break;
      case "terminate":
        receipt = await rental.terminateEarly(escrow, signer, id());
        break;
      case "settle":
        receipt = await rental.settle(escrow, signer, id());
        break;
      case "default":
        receipt = await rental.markDefault(escrow, signer, id());
        break;
      case "claim":
        receipt = await rental.claimDamage(
          escrow,
          signer,
          id(),
          await amount("AMOUNT"),
          ethers.id(process.env.EVIDENCE ?? ""),
        );
        break;
      case "accept":
        receipt = await rental.acceptClaim(escrow, signer, id());
        break;
      case "dispute":
        receipt = await rental.disputeClaim(escrow, signer, id());
        break;
      case "finalize":
        receipt = await rental.finalize(escrow, signer, id());
        break;
      case "withdraw": {
        const token = process.env.TOKEN ?? ethers.ZeroAddress;
        // The vault holding the balance: ASSET, else the agreement ID's custody.
        const custody = process.env.ASSET !== undefined ? BigInt(process.env.ASSET) : await escrow.custodyOf(id());
        const amount = await rental.withdraw(escrow, signer, custody, token);
        console.log(`withdrew ${await formatAmount(ethers, token, amount)}`);
        break;
      }
      default:
        throw new rental.UserError(`unknown ACTION "${action}"`);
    }
    if (receipt !== undefined) {
      const changes = await rental.describeChanges(ethers, escrow, receipt);
      for (const line of changes) console.log(line);
      if (changes.length === 0) console.log("no change recorded by the escrow");
    }
    console.log("done");
  } catch (err) {
    // A refusal of the escrow (a custom error it names) is the operator's to fix: one line.
    // Found from the revert data alone (the node's wording differs between Hardhat, anvil and public chains).
    const data = revertDataOf(err);
    const escrowAddress = process.env.ESCROW;
    if (!(err instanceof UserError) && data !== undefined && escrowAddress && ethers.isAddress(escrowAddress)) {
      throw new UserError(
        `the escrow refused: ${rental.explain(await ethers.getContractAt("RentalEscrow", escrowAddress), err)}`,
      );
    }
    throw err;
  }
});
