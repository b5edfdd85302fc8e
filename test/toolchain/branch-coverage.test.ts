/**
 * Branch coverage (scripts/tooling/coverage/) measured end to end: a throwaway Hardhat project with the
 * plugin runs one contract's Solidity tests under `--coverage`, and the report must name exactly
 * the branch arms the tests did not take. Plus the instrumenter's own rules, on EDR's output.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { addStatementCoverageInstrumentation, latestSupportedSolidityVersion } from "@nomicfoundation/edr";
import { instrumentBranches } from "../../scripts/tooling/coverage/branches.js";
import { branchCoverage, loadHits } from "../../scripts/tooling/coverage/report.js";

const ROOT = resolve(import.meta.dirname, "../..");

const PROBE = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

uint256 constant FILE_LEVEL = 2 > 1 ? 1 : 0;

contract Probe {
    error Seven();
    uint256 internal constant IN_CONTRACT = 1 > 0 ? 3 : 4;
    uint256 public last;

    function f(uint256 a) external returns (uint256) {
        if (a > 10) last = a;
        require(a != 7, Seven());
        return a > 5 ? 1 : 2;
    }

    function g(bool b) external pure returns (uint256) {
        assert(FILE_LEVEL + IN_CONTRACT == 4);
        return b ? 1 : 0;
    }

    function h(uint256 a) external pure returns (uint256 r) {
        if ((a > 3 ? a : 0) > 4) r = 1;
        else if (a == 0) r = 2;
        assembly {
            r := add(r, 0)
        }
    }
}
`;

const PROBE_TEST = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Probe} from "../contracts/Probe.sol";

contract ProbeTest {
    function test_takesSomeArms() external {
        Probe p = new Probe();
        require(p.f(11) == 1, "f(11)");
        try p.f(7) returns (uint256) {
            revert("f(7) must revert");
        } catch {}
        require(p.g(true) == 1, "g(true)");
        require(p.h(5) == 1 && p.h(0) == 2 && p.h(1) == 0, "h");
    }
}
`;

function armsOf(uncovered: { line: number; kind: string; arm: string }[]): string[] {
  return uncovered.map((u) => `${u.line} ${u.kind} ${u.arm}`).sort();
}

describe("toolchain: branch coverage (scripts/tooling/coverage)", function () {
  this.timeout(180_000);

  it("reports exactly the branch arms a test run did not take, with Hardhat's line report intact", function () {
    const project = mkdtempSync(join(tmpdir(), "plinth-branch-"));
    try {
      mkdirSync(join(project, "contracts"));
      mkdirSync(join(project, "test"));
      symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "probe", type: "module", private: true }));
      writeFileSync(join(project, "contracts/Probe.sol"), PROBE);
      writeFileSync(join(project, "test/Probe.t.sol"), PROBE_TEST);
      const plugin = pathToFileURL(join(ROOT, "scripts/tooling/coverage/plugin.ts")).href;
      writeFileSync(
        join(project, "hardhat.config.ts"),
        `import plinthBranchCoverage from ${JSON.stringify(plugin)};
export default {
  plugins: [plinthBranchCoverage],
  solidity: { version: "0.8.37", path: ${JSON.stringify(join(ROOT, "node_modules/solc/soljson.js"))} },
};
`,
      );
      const run = spawnSync(
        process.execPath,
        [join(ROOT, "node_modules/hardhat/dist/src/cli.js"), "test", "solidity", "--coverage"],
        // HARDHAT_CONFIG would point the child at this project's config instead of the probe's.
        { cwd: project, encoding: "utf8", env: { ...process.env, HARDHAT_CONFIG: undefined } },
      );
      expect(run.status, run.stdout + run.stderr).to.equal(0);

      const [probe] = branchCoverage(
        project,
        [join(project, "contracts/Probe.sol")],
        loadHits(join(project, "coverage/data")),
        "0.8.37",
      );
      // if, require, ternary in f; assert, ternary in g; ternary, if, else-if in h. The constant
      // ternaries are not probed (a constant cannot call a function).
      expect(probe.found).to.equal(16);
      expect(armsOf(probe.uncovered)).to.deep.equal(["14 ternary false", "18 assert fail", "19 ternary false"].sort());
      expect(probe.hit).to.equal(13);

      // Hardhat's own statement/line report still maps to the original lines.
      const lcov = readFileSync(join(project, "coverage/lcov.info"), "utf8");
      expect(lcov).to.contain("SF:contracts/Probe.sol");
      expect(lcov).to.match(/DA:12,1\n/);
      expect(lcov).to.match(/DA:19,1\n/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("probes if/require/assert/ternary conditions in place, deterministically, and skips constants and assembly", function () {
    const instrumented = addStatementCoverageInstrumentation(
      PROBE,
      "project/contracts/Probe.sol",
      latestSupportedSolidityVersion(),
    ).source;
    const a = instrumentBranches(instrumented, "project/contracts/Probe.sol");
    const b = instrumentBranches(instrumented, "project/contracts/Probe.sol");
    const other = instrumentBranches(instrumented, "project/contracts/Other.sol");

    expect(a.points.map((p) => `${p.line} ${p.kind} ${p.condition}`)).to.deep.equal([
      "12 if a > 10",
      "13 require a != 7",
      "14 ternary a > 5",
      "18 assert FILE_LEVEL + IN_CONTRACT == 4",
      "19 ternary b",
      "23 if (a > 3 ? a : 0) > 4",
      "23 ternary a > 3",
      "24 if a == 0",
    ]);
    expect(a.source).to.equal(b.source);
    const tags = a.points.flatMap((p) => p.arms.map((arm) => arm.tag));
    expect(new Set(tags).size).to.equal(16);
    expect(tags.every((t) => /^[0-9a-f]{64}$/.test(t))).to.equal(true);
    expect(other.points[0].arms[0].tag).to.not.equal(a.points[0].arms[0].tag);
    // Nested conditions close inside out.
    expect(a.source).to.match(
      /if \(__PlinthBranchCoverage\.hit\(\(__PlinthBranchCoverage\.hit\(a > 3, 0x[0-9a-f]{64}, 0x[0-9a-f]{64}\) \? a : 0\) > 4, 0x[0-9a-f]{64}, 0x[0-9a-f]{64}\)\)/,
    );
    expect(a.source).to.contain("uint256 constant FILE_LEVEL = 2 > 1 ? 1 : 0;");
    expect(a.source).to.contain("uint256 internal constant IN_CONTRACT = 1 > 0 ? 3 : 4;");
    expect(a.source).to.contain('import "__PlinthBranchCoverage.sol";');
  });

  it("refuses a file Hardhat did not instrument, and one it cannot parse", function () {
    expect(() => instrumentBranches(PROBE, "project/contracts/Probe.sol")).to.throw(/not instrumented/);
    const broken = addStatementCoverageInstrumentation(PROBE, "p.sol", latestSupportedSolidityVersion()).source.replace(
      "contract Probe {",
      "contract Probe {{",
    );
    expect(() => instrumentBranches(broken, "p.sol")).to.throw(/cannot parse/);
  });
});
