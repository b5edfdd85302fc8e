/**
 * Rental CLI for owners and renters.
 *
 *   ESCROW=0x.. ACTION=<action> [...] npx hardhat run scripts/rental/rental.ts --network <name>
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
 *   DURATION      seconds of use (rent, rent-signed)     PREPAY  initial credit in token units
 *   AGREEMENT     agreement id (every per-agreement action)
 *   AMOUNT        topup / claim amount                   SECONDS pay-period seconds
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
} from "../lib/cli.js";
import type { RentalTerms } from "../../client/src/eip712/rental.js";
import * as rental from "./lib.js";

function need(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new rental.RentalScriptError(`set ${name} (see the header of this script)`);
  return v;
}

function big(name: string, fallback?: bigint): bigint {
  const v = process.env[name];
  if (v === undefined || v === "") {
    if (fallback === undefined) throw new rental.RentalScriptError(`set ${name} (see the header of this script)`);
    return fallback;
  }
  try {
    return BigInt(v);
  } catch {
    throw new rental.RentalScriptError(`${name} must be an integer, got "${v}"`);
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
    const signer = await signerFromEnv(ethers);
    const action = need("ACTION");
    const id = () => need("AGREEMENT");
    console.log(`${action} as ${signer.address} ...`);
    switch (action) {
      case "publish":
        console.log(`offer id: ${await rental.publishTerms(escrow, signer, readTerms(need("TERMS")))}`);
        break;
      case "sign": {
        const now = BigInt(Math.floor(Date.now() / 1000));
        const signed = await rental.signTerms(escrow, signer, readTerms(need("TERMS")), {
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
      case "rent":
        console.log(
          `agreement: ${await rental.rentOffer(escrow, signer, need("OFFER_ID"), big("DURATION"), big("PREPAY"))}`,
        );
        break;
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
        console.log(`agreement: ${await rental.rentSigned(escrow, signer, signed, big("DURATION"), big("PREPAY"))}`);
        break;
      }
      case "activate":
        await rental.activate(escrow, signer, id());
        break;
      case "topup":
        await rental.topUp(escrow, signer, id(), big("AMOUNT"));
        break;
      case "pay-period":
        await rental.payPeriod(escrow, signer, id(), big("SECONDS"));
        break;
      case "meter":
        await rental.settleMetered(escrow, signer, id());
        break;
      case "collect":
        await rental.collect(escrow, signer, id());
        break;
      case "terminate":
        await rental.terminateEarly(escrow, signer, id());
        break;
      case "settle":
        await rental.settle(escrow, signer, id());
        break;
      case "default":
        await rental.markDefault(escrow, signer, id());
        break;
      case "claim":
        await rental.claimDamage(escrow, signer, id(), big("AMOUNT"), ethers.id(process.env.EVIDENCE ?? ""));
        break;
      case "accept":
        await rental.acceptClaim(escrow, signer, id());
        break;
      case "dispute":
        await rental.disputeClaim(escrow, signer, id());
        break;
      case "finalize":
        await rental.finalize(escrow, signer, id());
        break;
      case "withdraw":
        console.log(`withdrew ${await rental.withdraw(escrow, signer, process.env.TOKEN ?? ethers.ZeroAddress)}`);
        break;
      default:
        throw new rental.RentalScriptError(`unknown ACTION "${action}"`);
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
