import { network } from "hardhat";
import { expect } from "chai";
import { deployFixture, SOLAR, Status } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;
const fixture = () => deployFixture(ethers);

async function newAsset(f: Awaited<ReturnType<typeof fixture>>, name: string) {
  const salt = ethers.id(name);
  await f.registry.connect(f.issuer).registerAsset(salt, SOLAR, "0x4445", f.agent.address, "");
  return f.registry.computeAssetId(f.issuer.address, salt);
}

describe("ShareFactory", function () {
  it("creates the shares at the predicted CREATE2 address and records them in the registry", async function () {
    const f = await loadFixture(fixture);
    const id = await newAsset(f, "second");
    const predicted = await f.factory.predictShares(id);
    const expected = ethers.getCreate2Address(
      await f.factory.getAddress(),
      ethers.toBeHex(id, 32),
      await f.factory.SHARES_INIT_CODE_HASH(),
    );
    expect(predicted).to.equal(expected);
    expect(await ethers.provider.getCode(predicted)).to.equal("0x");
    await expect(f.factory.connect(f.agent).createShares(id, "Second", "SEC", 6))
      .to.emit(f.factory, "SharesCreated")
      .withArgs(id, predicted, "Second", "SEC", 6, await f.hooks.getAddress())
      .and.to.emit(f.registry, "SharesRecorded")
      .withArgs(id, predicted);
    expect(await f.registry.sharesOf(id)).to.equal(predicted);
    const shares = await ethers.getContractAt("AssetShares", predicted);
    expect(await shares.name()).to.equal("Second");
    expect(await shares.symbol()).to.equal("SEC");
    expect(await shares.decimals()).to.equal(6n);
    expect(await shares.assetId()).to.equal(id);
    expect(await shares.registry()).to.equal(await f.registry.getAddress());
    expect(await shares.identityRegistry()).to.equal(await f.identity.getAddress());
    expect(await shares.incomeHooks()).to.equal(await f.hooks.getAddress());
    expect(await shares.totalSupply()).to.equal(0n);
    expect((await shares.config()).eligibilityRequired).to.equal(true);
    // The parameters are cleared after creation.
    expect((await f.factory.shareParameters()).assetId).to.equal(0n);
  });

  it("refuses creation by anyone but the asset's agent", async function () {
    const f = await loadFixture(fixture);
    const id = await newAsset(f, "x");
    await expect(f.factory.connect(f.issuer).createShares(id, "X", "X", 18))
      .to.be.revertedWithCustomError(f.factory, "NotAgent")
      .withArgs(id, f.issuer.address);
    expect(await f.registry.sharesOf(id)).to.equal(ethers.ZeroAddress);
  });

  it("refuses a second creation, decimals above 18, and assets that are not Active", async function () {
    const f = await loadFixture(fixture);
    await expect(f.factory.connect(f.agent).createShares(f.assetId, "Again", "AG", 18))
      .to.be.revertedWithCustomError(f.factory, "SharesExist")
      .withArgs(f.assetId, await f.shares.getAddress());
    const id = await newAsset(f, "y");
    await expect(f.factory.connect(f.agent).createShares(id, "Y", "Y", 19))
      .to.be.revertedWithCustomError(f.factory, "DecimalsTooHigh")
      .withArgs(19);
    await f.registry.connect(f.agent).freezeAsset(id);
    await expect(f.factory.connect(f.agent).createShares(id, "Y", "Y", 18))
      .to.be.revertedWithCustomError(f.factory, "AssetNotActive")
      .withArgs(id, Status.Frozen);
    await expect(f.factory.connect(f.agent).createShares(12345n, "Y", "Y", 18))
      .to.be.revertedWithCustomError(f.factory, "NotAgent")
      .withArgs(12345n, f.agent.address);
    expect(await f.registry.sharesOf(id)).to.equal(ethers.ZeroAddress);
  });

  it("lets only governance change the income hooks, which only affects tokens created afterwards", async function () {
    const f = await loadFixture(fixture);
    await expect(f.factory.connect(f.agent).setIncomeHooks(f.outsider.address))
      .to.be.revertedWithCustomError(f.factory, "AccessControlUnauthorizedAccount")
      .withArgs(f.agent.address, ethers.ZeroHash);
    await expect(f.factory.connect(f.gov).setIncomeHooks(ethers.ZeroAddress))
      .to.emit(f.factory, "IncomeHooksSet")
      .withArgs(ethers.ZeroAddress);
    const id = await newAsset(f, "nohooks");
    await f.factory.connect(f.agent).createShares(id, "N", "N", 0);
    const shares = await ethers.getContractAt("AssetShares", await f.registry.sharesOf(id));
    expect(await shares.incomeHooks()).to.equal(ethers.ZeroAddress);
    expect(await f.shares.incomeHooks()).to.equal(await f.hooks.getAddress());
  });

  it("refuses a blueprint without code or without the 0xFE guard, and zero addresses", async function () {
    const f = await loadFixture(fixture);
    const F = await ethers.getContractFactory("ShareFactory");
    const reg = await f.registry.getAddress();
    const idr = await f.identity.getAddress();
    await expect(
      ethers.deployContract("ShareFactory", [f.gov.address, reg, idr, ethers.ZeroAddress, f.outsider.address]),
    )
      .to.be.revertedWithCustomError(F, "InvalidBlueprint")
      .withArgs(f.outsider.address);
    await expect(ethers.deployContract("ShareFactory", [f.gov.address, reg, idr, ethers.ZeroAddress, reg]))
      .to.be.revertedWithCustomError(F, "InvalidBlueprint")
      .withArgs(reg);
    await expect(
      ethers.deployContract("ShareFactory", [ethers.ZeroAddress, reg, idr, ethers.ZeroAddress, reg]),
    ).to.be.revertedWithCustomError(F, "ZeroAddress");
  });
});
