// Runs after `npm install`, on the project's pinned Node 22 (node_modules/.bin/node).
//
// npm running on an older host Node (20) silently skips EDR's native platform package, whose
// `engines` asks for Node >= 22, and Hardhat then fails with HHE27. This script detects the
// missing package and unpacks it from the npm registry into node_modules, without touching
// package.json or package-lock.json.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = process.cwd();

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `Plinth postinstall: running on Node ${process.versions.node}, but the pinned Node 22 should be on PATH ` +
      "(node_modules/.bin/node). Check that the npm package `node` installed, then run `npm install` again.",
  );
  process.exit(1);
}

function edrPlatformPackage() {
  const { platform, arch } = process;
  if (platform === "linux") {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    const libc = glibc ? "gnu" : "musl";
    return `@nomicfoundation/edr-linux-${arch}-${libc}`;
  }
  if (platform === "darwin") return `@nomicfoundation/edr-darwin-${arch}`;
  if (platform === "win32") return `@nomicfoundation/edr-win32-${arch}-msvc`;
  return undefined;
}

function ensureEdrBinding() {
  // EDR's `exports` hides package.json from require.resolve: read it from node_modules directly.
  const edrPackageJson = join(root, "node_modules", "@nomicfoundation", "edr", "package.json");
  if (!existsSync(edrPackageJson)) return; // Hardhat not installed: nothing to repair.
  const edrVersion = JSON.parse(readFileSync(edrPackageJson, "utf8")).version;
  const name = edrPlatformPackage();
  if (name === undefined) {
    console.warn(`Plinth postinstall: no EDR native package known for ${process.platform}/${process.arch}.`);
    return;
  }
  const target = join(root, "node_modules", ...name.split("/"));
  const pkgJson = join(target, "package.json");
  if (existsSync(pkgJson) && JSON.parse(readFileSync(pkgJson, "utf8")).version === edrVersion) return;

  console.log(`Plinth postinstall: ${name}@${edrVersion} was skipped by npm on this host; unpacking it.`);
  const tmp = mkdtempSync(join(tmpdir(), "plinth-edr-"));
  try {
    execFileSync("npm", ["pack", `${name}@${edrVersion}`, "--pack-destination", tmp, "--silent"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    if (tarball === undefined) throw new Error(`npm pack produced no tarball for ${name}@${edrVersion}`);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", join(tmp, tarball), "-C", target, "--strip-components=1"], { stdio: "inherit" });
    console.log(`Plinth postinstall: installed ${name}@${edrVersion}.`);
  } catch (error) {
    console.error(
      `Plinth postinstall: could not install ${name}@${edrVersion} (${error instanceof Error ? error.message : error}).\n` +
        "Hardhat needs it. Check that the npm registry is reachable and run `npm install` again.",
    );
    process.exit(1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

ensureEdrBinding();
