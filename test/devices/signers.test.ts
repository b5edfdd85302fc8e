import { expect } from "chai";
import { webcrypto } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import { Wallet, getBytes, id, recoverAddress } from "ethers";
import {
  KeyType,
  deviceDigest,
  deviceDomain,
  attestationMessage,
  p256SignedHash,
} from "../../client/src/eip712/devices.js";
import {
  NobleP256Signer,
  Secp256k1DeviceSigner,
  WebCryptoP256Signer,
  deterministicDeviceSigner,
} from "../../client/src/signers/devices.js";
import {
  P256_HALF_N,
  P256_N,
  decodeRS,
  derToRS,
  encodeRS,
  normaliseLowS,
  rsToDer,
  toHighS,
} from "../../client/src/signers/p256.js";

const domain = deviceDomain(31337, "0x00000000000000000000000000000000000000aa");
const digest = deviceDigest(
  domain,
  "Attestation",
  attestationMessage({ deviceId: 1n, kind: 1, value: 2, odometer: 2, counter: 3, timestamp: 4 }),
);
const publicKeyOf = (s: { keyA: string; keyB: string }) => getBytes("0x04" + s.keyA.slice(2) + s.keyB.slice(2));

describe("device signers (client/src/signers)", function () {
  it("the WebCrypto key is non-extractable: its private key cannot be exported", async function () {
    const s = await WebCryptoP256Signer.generate();
    expect(s.extractable).to.equal(false);
    expect(s.keyType).to.equal(KeyType.P256);
  });

  it("WebCrypto and @noble/curves implement the same rule: each verifies the other's signature of the digest bytes", async function () {
    const web = await WebCryptoP256Signer.generate();
    const noble = new NobleP256Signer(getBytes(id("noble key")));
    const webSig = getBytes(await web.signDigest(digest));
    expect(p256.verify(webSig, getBytes(digest), publicKeyOf(web), { prehash: true })).to.equal(true);
    const nobleSig = getBytes(await noble.signDigest(digest));
    const key = await webcrypto.subtle.importKey(
      "raw",
      publicKeyOf(noble),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    expect(await webcrypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, nobleSig, getBytes(digest))).to.equal(
      true,
    );
    // And the curve operation is over sha256(digest): noble without prehash agrees on that hash.
    expect(p256.verify(nobleSig, getBytes(p256SignedHash(digest)), publicKeyOf(noble), { prehash: false })).to.equal(
      true,
    );
  });

  it("P-256 signers always produce low-s signatures", async function () {
    const web = await WebCryptoP256Signer.generate();
    for (let i = 0; i < 16; i++) {
      const { s } = decodeRS(await web.signDigest(id(`m${i}`)));
      expect(s <= P256_HALF_N).to.equal(true);
    }
  });

  it("normaliseLowS maps s to n - s only in the upper half; the twin still verifies off-chain", function () {
    const noble = new NobleP256Signer(getBytes(id("k")));
    const { r, s } = decodeRS(noble.signDigestSync(digest));
    const high = toHighS(r, s);
    expect(high.s).to.equal(P256_N - s);
    expect(normaliseLowS(high.r, high.s)).to.deep.equal({ r, s });
    expect(normaliseLowS(r, s)).to.deep.equal({ r, s });
    expect(
      p256.verify(getBytes(encodeRS(high.r, high.s)), getBytes(digest), publicKeyOf(noble), { lowS: false }),
    ).to.equal(true);
  });

  it("DER signatures (as secure elements return them) convert to r || s, including 33-byte integers", async function () {
    for (let i = 0; i < 32; i++) {
      const noble = new NobleP256Signer(getBytes(id(`der${i}`)));
      const { r, s } = decodeRS(noble.signDigestSync(digest));
      const der = rsToDer(r, s);
      expect(derToRS(der)).to.deep.equal({ r, s });
      expect(Buffer.from(der).toString("hex")).to.equal(
        Buffer.from(p256.Signature.fromBytes(getBytes(encodeRS(r, s)), "compact").toBytes("der")).toString("hex"),
      );
    }
  });

  it("malformed DER is refused with a clear error", function () {
    const good = rsToDer(5n, 7n);
    const bad: [Uint8Array, RegExp][] = [
      [Uint8Array.from([0x31, ...good.subarray(1)]), /no SEQUENCE/],
      [Uint8Array.from([...good, 0x00]), /SEQUENCE length/],
      [Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x07]), /negative/],
      [Uint8Array.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x07]), /non-minimal/],
      [Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x07]), /out of range/],
      [Uint8Array.from([0x30, 0x06, 0x03, 0x01, 0x05, 0x02, 0x01, 0x07]), /no INTEGER/],
    ];
    for (const [der, why] of bad) expect(() => derToRS(der)).to.throw(why);
    expect(derToRS(good)).to.deep.equal({ r: 5n, s: 7n });
  });

  it("the secp256k1 signer signs the digest itself: 65 bytes r || s || v recovering to its address", async function () {
    const w = Wallet.createRandom();
    const s = new Secp256k1DeviceSigner(w);
    const sig = await s.signDigest(digest);
    expect(getBytes(sig).length).to.equal(65);
    expect(recoverAddress(digest, sig)).to.equal(w.address);
    expect(s.keyB).to.equal("0x" + "00".repeat(32));
  });

  it("seed-derived devices are deterministic, distinct per index and per curve", function () {
    const seed = id("seed");
    const a = deterministicDeviceSigner(seed, 7, "p256");
    expect(a.deviceId).to.equal(deterministicDeviceSigner(seed, 7, "p256").deviceId);
    expect(a.deviceId).to.not.equal(deterministicDeviceSigner(seed, 8, "p256").deviceId);
    expect(deterministicDeviceSigner(seed, 7, "secp256k1").keyType).to.equal(KeyType.Secp256k1);
  });
});
