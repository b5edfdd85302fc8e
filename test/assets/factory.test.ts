import { network } from "hardhat";
import { expect } from "chai";
import { deployFixture, SOLAR } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;
const fixture = () => deployFixture(ethers);

async function newAsset(f: Awaited<ReturnType<typeof fixture>>, name: string) {
  const salt = ethers.id(name);
  await f.registry.connect(f.issuer).registerAsset(salt, SOLAR, "0x4445", f.agent.address, "");
  return f.registry.computeAssetId(f.issuer.address, salt);
}

/** The ERC-1167 clone with immutable arguments (OpenZeppelin Clones), computed here independently. */
async function cloneAddress(f: Awaited<ReturnType<typeof fixture>>, id: bigint) {
  const args = ethers.AbiCoder.defaultAbiCoder().encode(
    ["uint256", "address", "address"],
    [id, await f.registry.getAddress(), await f.identity.getAddress()],
  );
  const initCode = ethers.concat([
    "0x61",
    ethers.toBeHex(0x2d + ethers.dataLength(args), 2),
    "0x3d81600a3d39f3363d3d373d3d3d363d73",
    await f.factory.sharesImplementation(),
    "0x5af43d82803e903d91602b57fd5bf3",
    args,
  ]);
  return ethers.getCreate2Address(await f.factory.getAddress(), ethers.toBeHex(id, 32), ethers.keccak256(initCode));
}

describe("ShareFactory", function () {
  it("creates the shares at the predicted CREATE2 address and records them in the registry", async function () {
    const f = await loadFixture(fixture);
    const id = await newAsset(f, "second");
    const predicted = await f.factory.predictShares(id);
    expect(predicted).to.equal(await cloneAddress(f, id));
    expect(await ethers.provider.getCode(predicted)).to.equal("0x");
    const clone = await ethers.getContractAt("AssetShares", predicted);
    await expect(f.factory.connect(f.agent).createShares(id, "Second", "SEC", 6))
      .to.emit(clone, "Initialized")
      .withArgs(1n)
      .and.to.emit(f.factory, "SharesCreated")
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
    // The token is a minimal clone of the implementation, with its arguments appended.
    const implementation = await f.factory.sharesImplementation();
    const args = ethers.AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address", "address"],
      [id, await f.registry.getAddress(), await f.identity.getAddress()],
    );
    expect(await ethers.provider.getCode(predicted)).to.equal(
      ethers.concat(["0x363d3d373d3d3d363d73", implementation, "0x5af43d82803e903d91602b57fd5bf3", args]),
    );
  });

  it("predicts the address from the asset id alone, whatever the income hooks, name or decimals", async function () {
    const f = await loadFixture(fixture);
    const id = await newAsset(f, "third");
    const before = await f.factory.predictShares(id);
    await f.factory.connect(f.gov).setIncomeHooks(ethers.ZeroAddress);
    expect(await f.factory.predictShares(id)).to.equal(before);
    expect(await f.factory.predictShares(f.assetId)).to.equal(await f.shares.getAddress());
    expect(await f.factory.predictShares(id + 1n)).to.not.equal(before);
    await f.factory.connect(f.agent).createShares(id, "Third", "THD", 0);
    expect(await f.registry.sharesOf(id)).to.equal(before);
  });

  it("a clone cannot be initialized twice, and the implementation never", async function () {
    const f = await loadFixture(fixture);
    await expect(
      f.shares.connect(f.agent).initialize("Evil", "EVL", 0, f.outsider.address),
    ).to.be.revertedWithCustomError(f.shares, "InvalidInitialization");
    const implementation = await ethers.getContractAt("AssetShares", await f.factory.sharesImplementation());
    await expect(
      implementation.connect(f.outsider).initialize("Evil", "EVL", 0, f.outsider.address),
    ).to.be.revertedWithCustomError(implementation, "InvalidInitialization");
    // The implementation holds no asset: no arguments, no name, no hooks.
    expect(await implementation.assetId()).to.equal(0n);
    expect(await implementation.registry()).to.equal(ethers.ZeroAddress);
    expect(await implementation.identityRegistry()).to.equal(ethers.ZeroAddress);
    expect(await implementation.incomeHooks()).to.equal(ethers.ZeroAddress);
    expect(await implementation.name()).to.equal("");
    expect(await f.shares.name()).to.equal("Plant Berlin 7");
  });

  it("each asset's permits use its own EIP-712 domain (its name, its address)", async function () {
    const f = await loadFixture(fixture);
    const id = await newAsset(f, "fourth");
    await f.factory.connect(f.agent).createShares(id, "Battery Hamburg 2", "BH2", 6);
    const other = await ethers.getContractAt("AssetShares", await f.registry.sharesOf(id));
    const { chainId } = await ethers.provider.getNetwork();
    for (const [token, name] of [
      [f.shares, "Plant Berlin 7"],
      [other, "Battery Hamburg 2"],
    ] as const) {
      const verifyingContract = await token.getAddress();
      const domain = { name, version: "1", chainId, verifyingContract };
      expect(await token.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(domain));
      const d = await token.eip712Domain();
      expect([d.name, d.version, d.chainId, d.verifyingContract]).to.deep.equal([
        name,
        "1",
        chainId,
        verifyingContract,
      ]);
    }
    expect(await other.DOMAIN_SEPARATOR()).to.not.equal(await f.shares.DOMAIN_SEPARATOR());
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
      .withArgs(id);
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

  it("refuses an implementation without code, and zero addresses", async function () {
    const f = await loadFixture(fixture);
    const F = await ethers.getContractFactory("ShareFactory");
    const reg = await f.registry.getAddress();
    const idr = await f.identity.getAddress();
    await expect(
      ethers.deployContract("ShareFactory", [f.gov.address, reg, idr, ethers.ZeroAddress, f.outsider.address]),
    )
      .to.be.revertedWithCustomError(F, "InvalidImplementation")
      .withArgs(f.outsider.address);
    await expect(
      ethers.deployContract("ShareFactory", [ethers.ZeroAddress, reg, idr, ethers.ZeroAddress, reg]),
    ).to.be.revertedWithCustomError(F, "ZeroAddress");
  });
});
