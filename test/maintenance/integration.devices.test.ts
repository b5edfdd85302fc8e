/**
 * Integration: a repair proven by the device itself. The device holds a P-256 key in a simulated
 * secure element (a non-extractable WebCrypto key); its post-repair self-test is signed there,
 * verified and stored by the real DeviceRegistry (the only verifier of device signatures), and the
 * maintenance escrow then reads the stored reading and releases the order.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import {
  attestationMessage,
  claimMessage,
  deviceDigest,
  deviceDomain,
  registerDeviceMessage,
  typesFor,
} from "../../client/src/eip712/devices.js";
import { WebCryptoP256Signer } from "../../client/src/signers/devices.js";
import { Comparator, OrderState } from "../../client/src/eip712/maintenance.js";
import { ASSET, BOND, BUDGET, DAY, KIND_SELFTEST, deployMaintenanceOn, orderArgs, policy } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("maintenance escrow with the real DeviceRegistry (P-256 secure element)", function () {
  it("releases a repair proven by the device's P-256 signed self-test, and only a fresh passing one", async function () {
    const [gov, manufacturer, mfrSigner, operator, agent, payer, provider, stranger] = await ethers.getSigners();

    // The real device registry; one manufacturer; a device whose key never leaves its secure element.
    const registry = await ethers.deployContract("DeviceRegistry", [gov.address]);
    const registryAddress = await registry.getAddress();
    await registry.connect(gov).admitManufacturer(manufacturer.address, mfrSigner.address);
    const domain = deviceDomain((await ethers.provider.getNetwork()).chainId, registryAddress);
    const device = await WebCryptoP256Signer.generate();
    expect(device.extractable).to.equal(false);
    const reg = registerDeviceMessage({
      manufacturer: manufacturer.address,
      keyType: device.keyType,
      keyA: device.keyA,
      keyB: device.keyB,
      model: id("plinth-inverter-v1"),
      firmwareHash: id("fw-2.1.0"),
      serialHash: id("SN-0042"),
    });
    await registry.registerDevice(reg, await mfrSigner.signTypedData(domain, typesFor("RegisterDevice"), reg));
    const deviceId = device.deviceId;
    const claim = claimMessage({
      deviceId,
      owner: operator.address,
      deadline: (await time.latest()) + DAY,
    });
    await registry.claim(
      deviceId,
      operator.address,
      claim.deadline,
      await device.signDigest(deviceDigest(domain, "Claim", claim)),
    );
    await registry.connect(operator).bindToAsset(deviceId, ASSET); // no asset registry configured: the owner binds

    // The escrow on the real registry (asset registry and distributor are test doubles).
    const token = await ethers.deployContract("MockPayoutToken", ["Test USD", "TUSD", 18]);
    const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
    const distributor = await ethers.deployContract("MockIncomeDistributor", [gov.address, false]);
    const { escrow, evidence, custody } = await deployMaintenanceOn(
      ethers,
      gov.address,
      await assets.getAddress(),
      registryAddress,
      await distributor.getAddress(),
    );
    await assets.setAsset(ASSET, agent.address, 1, ethers.ZeroAddress);
    await escrow.connect(gov).setTokenAllowed(await token.getAddress(), true);
    for (const s of [payer, provider]) {
      await token.mint(s.address, BUDGET + BOND);
      await token.connect(s).approve(await custody.getAddress(), ethers.MaxUint256);
    }

    let counter = 0;
    const selfTest = async (code: number) => {
      const att = attestationMessage({
        deviceId,
        kind: KIND_SELFTEST,
        value: code,
        odometer: 0,
        payloadHash: id(`self-test ${code}`),
        counter: ++counter,
        timestamp: await time.latest(),
      });
      await registry.connect(stranger).attest(att, await device.signDigest(deviceDigest(domain, "Attestation", att)));
    };

    // A passing self-test from BEFORE the work started does not count.
    await selfTest(0);
    const args = orderArgs(await time.latest(), await token.getAddress(), provider.address, {
      deviceId,
      policy: policy({ cmp: Comparator.EQ, threshold: 0n }),
    });
    const orderId = await escrow.connect(payer).createOrder.staticCall(args);
    await escrow.connect(payer).createOrder(args);
    await time.increase(60);
    await escrow.connect(provider).accept(orderId);
    expect((await evidence.getProgress(orderId)).usedCounter).to.equal(1);
    await expect(evidence.submitDeviceEvidence(orderId, 0, deviceId))
      .to.be.revertedWithCustomError(escrow, "StaleAttestation")
      .withArgs(1, 1);

    // A forged self-test (another P-256 key) is refused by the registry, never reaches the escrow.
    const forger = await WebCryptoP256Signer.generate();
    const forged = attestationMessage({
      deviceId,
      kind: KIND_SELFTEST,
      value: 0,
      odometer: 0,
      counter: 99,
      timestamp: await time.latest(),
    });
    await expect(registry.attest(forged, await forger.signDigest(deviceDigest(domain, "Attestation", forged))))
      .to.be.revertedWithCustomError(registry, "InvalidDeviceSignature")
      .withArgs(deviceId);

    // After the repair: a failing self-test (code 2) does not release; the passing one does.
    await time.increase(3600);
    await selfTest(2);
    await expect(evidence.submitDeviceEvidence(orderId, 0, deviceId))
      .to.be.revertedWithCustomError(escrow, "ValueConditionFailed")
      .withArgs(2, 0);
    await selfTest(0);
    await expect(evidence.connect(stranger).submitDeviceEvidence(orderId, 0, deviceId))
      .to.emit(escrow, "OrderCompleted")
      .withArgs(orderId, BOND);
    const o = await escrow.getOrder(orderId);
    expect(o.state).to.equal(OrderState.Completed);
    expect((await evidence.getProgress(orderId)).usedCounter).to.equal(3);
    expect(await custody.claimable(provider.address, ASSET, await token.getAddress())).to.equal(BUDGET + BOND);
  });
});
