/**
 * ERC-165, truthful on every production contract (issue 14).
 *
 * For each production contract (enumerated from the compiled ABIs like test/attacks/access-control.test.ts):
 * - every interface id it claims is fully implemented: for each known interface (the ERC standards below and
 *   every interface compiled from contracts/), when `supportsInterface(id)` is true, every function of the
 *   interface, inherited ones included, is in the contract's ABI;
 * - every standard it implements (all of the standard's functions are in its ABI) is claimed, and so is every
 *   Plinth interface it implements, except the entries of UNCLAIMED, each with its reason;
 * - `supportsInterface(0xffffffff)` is false, as ERC-165 requires;
 * - a contract without `supportsInterface` implements no standard.
 * Interface ids are computed here from the functions' selectors (XOR of the interface's own functions, as
 * Solidity's `type(I).interfaceId`), checked against the ids the standards publish.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Interface, type BaseContract, type Contract } from "ethers";
import { deployWorld } from "../attacks/world.js";

const { ethers, networkHelpers } = await network.create();
const hre = (await import("hardhat")).default;

interface Known {
  /** Every function, inherited ones included (what a claimer must implement). */
  all: string[];
  /** The interface id: XOR of the selectors of its own functions. */
  id: string;
}

/** The ERC standards, as human-readable signatures; `parent` functions are not part of the id. */
const STANDARDS: Record<string, { fns: string[]; parent?: string; published?: string; exempt?: string }> = {
  IERC165: { fns: ["supportsInterface(bytes4)"], published: "0x01ffc9a7" },
  IERC20: {
    fns: [
      "totalSupply()",
      "balanceOf(address)",
      "transfer(address,uint256)",
      "allowance(address,address)",
      "approve(address,uint256)",
      "transferFrom(address,address,uint256)",
    ],
    published: "0x36372b07",
  },
  IERC20Metadata: { fns: ["name()", "symbol()", "decimals()"], parent: "IERC20", published: "0xa219a025" },
  // EIP-2612 defines no ERC-165 id; Solidity's type(IERC20Permit).interfaceId is claimed by AssetShares (README).
  IERC20Permit: {
    fns: ["permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "nonces(address)", "DOMAIN_SEPARATOR()"],
  },
  IAccessControl: {
    fns: [
      "hasRole(bytes32,address)",
      "getRoleAdmin(bytes32)",
      "grantRole(bytes32,address)",
      "revokeRole(bytes32,address)",
      "renounceRole(bytes32,address)",
    ],
    published: "0x7965db0b",
  },
  IERC721: {
    fns: [
      "balanceOf(address)",
      "ownerOf(uint256)",
      "safeTransferFrom(address,address,uint256,bytes)",
      "safeTransferFrom(address,address,uint256)",
      "transferFrom(address,address,uint256)",
      "approve(address,uint256)",
      "setApprovalForAll(address,bool)",
      "getApproved(uint256)",
      "isApprovedForAll(address,address)",
    ],
    parent: "IERC165",
    published: "0x80ac58cd",
  },
  IERC721Metadata: { fns: ["name()", "symbol()", "tokenURI(uint256)"], parent: "IERC721", published: "0x5b5e139f" },
  IERC4907: {
    fns: ["setUser(uint256,address,uint64)", "userOf(uint256)", "userExpires(uint256)"],
    published: "0xad092b5c",
  },
  IERC5267: {
    fns: ["eip712Domain()"],
    exempt:
      "ERC-5267's eip712Domain() is itself the discovery call and the EIP defines no ERC-165 id; the EIP-712 contracts (DeviceRegistry, escrows) do not claim it",
  },
};

/** Parents of Plinth's interfaces (their functions are implemented but not part of the id). */
const PARENTS: Record<string, string[]> = {
  IDeviceRegistry: ["IAccessControl", "IERC165"],
  IDeviceToken: ["IERC721Metadata", "IERC4907"],
  IAssetShares: ["IERC20"],
  IRentalEscrow: ["IRentalState"],
  IRentalClaims: ["IArbitrable", "IERC165"],
  IERC7943Fungible: ["IERC165"],
  IERC7943NonFungible: ["IERC165"],
  IERC7943MultiToken: ["IERC165"],
  IMaintenanceEvidence: ["IArbitrable"],
};

/** Published ids of compiled interfaces (a check of the id computation). */
const PUBLISHED: Record<string, string> = {
  IERC7943Fungible: "0x3edbb4c4",
  IERC7943NonFungible: "0xbf1ef5fe",
  IERC7943MultiToken: "0x41c4fbad",
};

/** Plinth interfaces a contract implements without claiming them, with the reason. */
const UNCLAIMED: Record<string, Record<string, string>> = {
  DeviceRegistry: {
    IDeviceTransferHook:
      "a callback only the registry's own DeviceToken makes (it checks msg.sender); nobody discovers it",
  },
  RentalCustody: {
    ICustodian:
      "AssetVaults.sol's one-function view of a custodian (`distributor()`), read once by setCustodians with a plain call; nobody discovers it",
  },
  RentalEscrow: {
    ICustodian:
      "its distributor() getter matches AssetVaults.sol's view of a custodian, but the escrow is no custodian (the vaults never trust it); nobody discovers it",
  },
};

const sighash = (sig: string) => ethers.id(sig).slice(0, 10);
const xor = (sigs: string[]) =>
  ethers.toBeHex(
    sigs.reduce((x, s) => x ^ BigInt(sighash(s)), 0n),
    4,
  );

async function knownInterfaces(): Promise<Map<string, Known>> {
  const known = new Map<string, Known>();
  const allOf = (name: string): string[] => {
    const s = STANDARDS[name];
    return s.parent ? [...allOf(s.parent), ...s.fns] : s.fns;
  };
  for (const [name, s] of Object.entries(STANDARDS)) known.set(name, { all: allOf(name), id: xor(s.fns) });
  for (const fq of await hre.artifacts.getAllFullyQualifiedNames()) {
    const [source, name] = fq.split(":");
    if (!source.startsWith("contracts/") || source.startsWith("contracts/test/") || !/^I[A-Z]/.test(name)) continue;
    const artifact = await hre.artifacts.readArtifact(fq);
    if (artifact.bytecode !== "0x" && artifact.bytecode !== "") continue;
    const all: string[] = [];
    new Interface(artifact.abi).forEachFunction((f) => all.push(f.format("sighash")));
    if (all.length === 0) continue; // an empty interface has id 0: nothing to claim
    known.set(name, { all, id: "" });
  }
  // Ids once every interface is known (a parent may come after its child in the artifacts).
  for (const [name, k] of known) {
    if (k.id !== "") continue;
    const inherited = new Set((PARENTS[name] ?? []).flatMap((p) => known.get(p)!.all));
    k.id = xor(k.all.filter((s) => !inherited.has(s)));
  }
  return known;
}

async function productionAbis(): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const fq of await hre.artifacts.getAllFullyQualifiedNames()) {
    const [source, name] = fq.split(":");
    if (!source.startsWith("contracts/") || source.startsWith("contracts/test/")) continue;
    const artifact = await hre.artifacts.readArtifact(fq);
    if (artifact.bytecode === "0x" || artifact.bytecode === "") continue;
    const sigs = new Set<string>();
    new Interface(artifact.abi).forEachFunction((f) => sigs.add(f.format("sighash")));
    out.set(name, sigs);
  }
  return out;
}

async function fixture() {
  const w = await deployWorld(ethers);
  const instances: Record<string, BaseContract> = {
    DeviceRegistry: w.devices,
    DeviceToken: w.deviceToken,
    AssetRegistry: w.assets,
    AssetShares: w.shares,
    SharesBlueprint: await ethers.getContractAt("SharesBlueprint", await w.factory.sharesImplementation()),
    IdentityRegistry: w.identity,
    ShareFactory: w.factory,
    IncomeDistributor: w.distributor,
    MaintenanceOrders: w.escrow,
    MaintenanceEvidence: w.evidence,
    RentalMarket: w.rentalMarket,
    RentalEscrow: w.rental,
    RentalCustody: w.rentalCustody,
    RentalClaims: w.rentalClaims,
    RentalMeter: w.rentalMeter,
  };
  return { instances };
}

describe("toolchain: ERC-165 is truthful on every production contract (issue 14)", function () {
  it("computes the ids the standards publish", async function () {
    const known = await knownInterfaces();
    for (const [name, s] of Object.entries(STANDARDS))
      if (s.published) expect(known.get(name)!.id, name).to.equal(s.published);
    for (const [name, id] of Object.entries(PUBLISHED)) expect(known.get(name)!.id, name).to.equal(id);
  });

  it("each contract claims exactly the interfaces it implements (standards and Plinth's own), nothing it lacks", async function () {
    const { instances } = await networkHelpers.loadFixture(fixture);
    const known = await knownInterfaces();
    const abis = await productionAbis();
    const report: string[] = [];
    const withoutErc165: string[] = [];
    for (const [contract, sigs] of abis) {
      const implemented = [...known].filter(([, k]) => k.all.every((s) => sigs.has(s))).map(([n]) => n);
      if (!sigs.has("supportsInterface(bytes4)")) {
        const standards = implemented.filter((n) => n in STANDARDS && !STANDARDS[n].exempt);
        expect(standards, `${contract} implements a standard without ERC-165`).to.deep.equal([]);
        withoutErc165.push(contract);
        continue;
      }
      const c = instances[contract] as unknown as Contract | undefined;
      expect(c, `${contract} has supportsInterface: add an instance to this test's fixture`).to.not.equal(undefined);
      expect(await c!.supportsInterface("0xffffffff"), `${contract} claims 0xffffffff`).to.equal(false);
      const claimed: string[] = [];
      for (const [name, k] of known) {
        if (!(await c!.supportsInterface(k.id))) continue;
        claimed.push(name);
        const missing = k.all.filter((s) => !sigs.has(s));
        expect(missing, `${contract} claims ${name} (${k.id}) without implementing`).to.deep.equal([]);
      }
      for (const name of implemented) {
        const exempt = STANDARDS[name]?.exempt ?? UNCLAIMED[contract]?.[name];
        if (exempt) continue;
        expect(claimed, `${contract} implements ${name} but does not claim it`).to.include(name);
      }
      report.push(`${contract}: ${claimed.join(", ")}`);
    }
    // The contracts the issue names advertise their own interfaces.
    const expectClaims = (contract: string, names: string[]) =>
      expect(
        report
          .find((r) => r.startsWith(`${contract}:`))!
          .split(": ")[1]
          .split(", "),
      ).to.include.members(names);
    expectClaims("AssetShares", [
      "IERC165",
      "IERC20",
      "IERC20Metadata",
      "IERC20Permit",
      "IERC7943Fungible",
      "IAssetShares",
    ]);
    expectClaims("AssetRegistry", ["IERC165", "IAccessControl", "IAssetRegistry"]);
    expectClaims("IncomeDistributor", [
      "IERC165",
      "IAccessControl",
      "IIncomeDistributor",
      "IIncomeHooks",
      "IIncomeLedger",
    ]);
    expectClaims("IdentityRegistry", ["IERC165", "IAccessControl", "IIdentityRegistry"]);
    expectClaims("DeviceRegistry", ["IERC165", "IAccessControl", "IDeviceRegistry"]);
    expectClaims("DeviceToken", ["IERC165", "IERC721", "IERC721Metadata"]);
    expectClaims("RentalCustody", ["IERC165", "IRentalCustody"]);
    expectClaims("RentalMeter", ["IERC165", "IRentalMeter"]);
    // AssetVaults (the vaults' deployer) and the AssetVault clones declare no supportsInterface, like the dispute
    // module: each must then implement no standard (checked above).
    expect(withoutErc165).to.include.members(["AssetVault", "AssetVaults", "DisputeModule"]);
  });

  it("every UNCLAIMED entry names an interface its contract implements", async function () {
    const known = await knownInterfaces();
    const abis = await productionAbis();
    for (const [contract, entries] of Object.entries(UNCLAIMED))
      for (const name of Object.keys(entries))
        expect(
          known.get(name)!.all.every((s) => abis.get(contract)!.has(s)),
          `${contract}.${name}`,
        ).to.equal(true);
  });
});
