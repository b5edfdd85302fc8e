import { expect } from "chai";
import { spawnSync } from "node:child_process";
import hre from "hardhat";
import * as enums from "../../client/src/enums.js";
import { constantsOf, enumsModule, enumsOf, RENAMES } from "../../scripts/tooling/codegen/enums.js";

describe("client enums, generated from the contracts (client/src/enums.ts)", function () {
  it("the committed file is what the contracts declare (the --check mode CI relies on)", function () {
    const run = spawnSync(process.execPath, ["scripts/tooling/codegen/enums.ts", "--check"], { encoding: "utf8" });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("client/src/enums.ts matches the contracts");
  });

  it("every enum the compiler puts in a production ABI has its generated twin (values and names agree)", async function () {
    const names = await hre.artifacts.getAllFullyQualifiedNames();
    const inAbis = new Set<string>();
    const visit = (params: readonly { internalType?: string; components?: unknown[] }[] = []) => {
      for (const p of params) {
        const m = /^enum ([A-Za-z0-9_.]+)/.exec(p.internalType ?? "");
        if (m) inAbis.add(m[1]!);
        visit(p.components as typeof params);
      }
    };
    for (const name of [...names].filter((n) => n.startsWith("contracts/") && !n.startsWith("contracts/test/"))) {
      for (const item of (await hre.artifacts.readArtifact(name)).abi as {
        inputs?: { internalType?: string }[];
        outputs?: { internalType?: string }[];
      }[]) {
        visit(item.inputs);
        visit(item.outputs);
      }
    }
    const nameOf = (qualified: string) => RENAMES[qualified] ?? qualified.split(".")[1]!;
    expect(inAbis.size).to.be.greaterThan(5);
    for (const qualified of inAbis) {
      const names = (enums as Record<string, unknown>)[`${nameOf(qualified)}Names`] as readonly string[] | undefined;
      expect(names, `${qualified} has no generated enum`).to.be.an("array");
      const values = (enums as unknown as Record<string, Record<string, number>>)[nameOf(qualified)]!;
      expect(Object.keys(values), qualified).to.deep.equal([...names!]);
    }
  });

  it("generation: values in declaration order, part names for generic ones, a clash refused", function () {
    const source = (contract: string, body: string) => ({
      file: `contracts/x/${contract}.sol`,
      content: `pragma solidity 0.8.37;\ninterface ${contract} {\n${body}\n}\n`,
    });
    const out = enumsOf([
      source("IRentalTypes", "enum State { None, Active }\nenum SubjectKind { None, Asset }"),
      source("IMaintenance", "enum State { None, Open, Done }"),
    ]);
    expect(out.map((e) => [e.name, e.qualified, e.members])).to.deep.equal([
      ["OrderState", "IMaintenance.State", ["None", "Open", "Done"]],
      ["RentalState", "IRentalTypes.State", ["None", "Active"]],
      ["SubjectKind", "IRentalTypes.SubjectKind", ["None", "Asset"]],
    ]);
    const text = enumsModule(out);
    expect(text).to.contain("export const OrderState = {\n  None: 0,\n  Open: 1,\n  Done: 2,\n} as const;");
    expect(text).to.contain('export const RentalStateNames = ["None", "Active"] as const;');
    expect(() => enumsOf([source("A", "enum Mode { X }"), source("B", "enum Mode { Y }")])).to.throw(
      "enums A.Mode and B.Mode would both be exported as Mode: add one to RENAMES",
    );
  });

  it("the client re-exports the generated values where integrators have always found them", async function () {
    const devices = await import("../../client/src/eip712/devices.js");
    const rental = await import("../../client/src/eip712/rental.js");
    const maintenance = await import("../../client/src/eip712/maintenance.js");
    expect(devices.KeyType).to.equal(enums.KeyType);
    expect(devices.DeviceStatus.Decommissioned).to.equal(3);
    expect(rental.RentalState).to.equal(enums.RentalState);
    expect(rental.SubjectKind).to.deep.equal({ None: 0, Asset: 1, Device: 2 });
    expect(maintenance.OrderState).to.equal(enums.OrderState);
    expect(maintenance.Comparator).to.deep.equal({ None: 0, EQ: 1, GTE: 2, LTE: 3 });
    expect(devices.ReadingKinds).to.equal(enums.ReadingKinds);
  });

  it("reading kinds: one registry (contracts/devices/ReadingKinds.sol), the same numbers in TypeScript", function () {
    expect(enums.ReadingKinds).to.deep.equal({
      ENERGY_WH: 1,
      SELF_TEST: 2,
      RUNTIME_SECONDS: 3,
      STATE_OF_CHARGE_BPS: 4,
    });
    const source = (body: string) => [{ file: "contracts/x/K.sol", content: `pragma solidity 0.8.37;\n${body}\n` }];
    const out = constantsOf(source("library K { uint32 internal constant B = 2; uint32 internal constant A = 1; }"));
    expect(out).to.deep.equal([
      {
        name: "K",
        file: "contracts/x/K.sol",
        values: [
          ["B", 2],
          ["A", 1],
        ],
      },
    ]);
    expect(enumsModule([], out)).to.contain("export const K = {\n  B: 2,\n  A: 1,\n} as const;");
    // A library with code is not a registry of numbers; a number used twice is refused.
    expect(constantsOf(source("library L { uint8 internal constant A = 1; function f() internal {} }"))).to.deep.equal(
      [],
    );
    expect(() =>
      constantsOf(source("library K { uint32 internal constant A = 1; uint32 internal constant B = 1; }")),
    ).to.throw("K.B: value 1 used twice");
  });
});
