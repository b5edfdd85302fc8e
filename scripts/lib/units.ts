/**
 * Human units for the operator scripts: token amounts printed with the token's decimals and symbol,
 * and amounts read from the environment in either token units or base units.
 *
 * Printing: `formatAmount(ethers, token, amount)` gives `12.5 eUSD (12500000)`: the amount in token
 * units with the token's symbol, then the exact base units in parentheses. address(0) is ETH (18
 * decimals). A token's decimals() and symbol() are read once per process and cached by address; a
 * token without decimals() prints `12500000 base units of 0x… (no decimals())`, one without symbol()
 * is named by its address.
 *
 * Reading (`parseAmount`, `amountFromEnv`), one rule for every amount variable (PREPAY, AMOUNT, ...):
 *
 *   `12.5`, `12.5 eUSD`, `12eUSD`, `1 ETH`  token units: the value has a decimal point or is followed
 *                                            by the token's symbol (case-insensitive; another symbol
 *                                            is refused)
 *   `12500000wei`, `12500000 base`          base units, explicitly (an integer)
 *   `12500000`                              base units: a plain integer keeps the scripts' old
 *                                            meaning. Write `12.0` or `12 eUSD` for twelve tokens.
 *
 * The parsed amount is echoed (`PREPAY = 12.5 eUSD (12500000)`) so the reading is never silent.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Contract, formatUnits, parseUnits, ZeroAddress } from "ethers";
import { UserError } from "./cli.js";
import { ERC20_ABI } from "./erc20.js";

/** What is known of a token: decimals undefined when it does not answer decimals(). */
export interface TokenInfo {
  token: string;
  decimals: number | undefined;
  symbol: string;
}

const cache = new Map<string, Promise<TokenInfo>>();

function isEth(token: string): boolean {
  return token === "" || token.toUpperCase() === "ETH" || BigInt(token) === 0n;
}

/** Decimals and symbol of `token` (ETH for address(0)), read once per process. */
export function tokenInfo(ethers: HardhatEthers, token: string): Promise<TokenInfo> {
  if (isEth(token)) return Promise.resolve({ token: ZeroAddress, decimals: 18, symbol: "ETH" });
  const key = token.toLowerCase();
  let info = cache.get(key);
  if (info === undefined) {
    info = (async () => {
      const erc20 = new Contract(token, ERC20_ABI, ethers.provider);
      let decimals: number | undefined;
      let symbol = token;
      try {
        decimals = Number(await erc20.decimals());
      } catch {
        decimals = undefined;
      }
      try {
        const s = String(await erc20.symbol()).trim();
        if (s !== "") symbol = s;
      } catch {
        // named by its address
      }
      return { token, decimals, symbol };
    })();
    cache.set(key, info);
  }
  return info;
}

/** `12.5 eUSD (12500000)` from known token metadata. */
export function formatWith(info: TokenInfo, amount: bigint): string {
  if (info.decimals === undefined) return `${amount} base units of ${info.token} (no decimals())`;
  return `${formatUnits(amount, info.decimals).replace(/\.0$/, "")} ${info.symbol} (${amount})`;
}

/** `12.5 eUSD (12500000)`: `amount` of `token` in token units, then in base units. */
export async function formatAmount(ethers: HardhatEthers, token: string, amount: bigint): Promise<string> {
  return formatWith(await tokenInfo(ethers, token), amount);
}

/** An amount read with the rule of the module comment; `name` labels the errors. */
export function parseAmountWith(info: TokenInfo, raw: string, name = "amount"): bigint {
  const text = raw.trim();
  const base = /^(\d+)\s*(wei|base)$/i.exec(text);
  if (base) return BigInt(base[1]);
  if (/^\d+$/.test(text)) return BigInt(text);
  const human = /^(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z][\w.-]*)?$/.exec(text);
  if (human === null) {
    throw new UserError(
      `${name}=${raw}: write token units (12.5 or 12.5 ${info.symbol}) or base units (12500000 or 12500000wei)`,
    );
  }
  const [, value, unit] = human;
  if (unit !== undefined && unit.toLowerCase() !== info.symbol.toLowerCase()) {
    throw new UserError(`${name}=${raw}: the token is ${info.symbol}, not ${unit}`);
  }
  if (info.decimals === undefined) {
    throw new UserError(`${name}=${raw}: token ${info.token} has no decimals(); give base units (e.g. 1000wei)`);
  }
  try {
    return parseUnits(value.startsWith(".") ? `0${value}` : value, info.decimals);
  } catch {
    throw new UserError(`${name}=${raw}: ${info.symbol} has ${info.decimals} decimals`);
  }
}

/** Reads an amount of `token` (see the module comment). */
export async function parseAmount(ethers: HardhatEthers, token: string, raw: string, name = "amount") {
  return parseAmountWith(await tokenInfo(ethers, token), raw, name);
}

/**
 * The amount variable `name` of `token` from the environment (`fallback` when unset; refused when
 * unset without one), echoed as `NAME = 12.5 eUSD (12500000)` through `log`.
 */
export async function amountFromEnv(
  ethers: HardhatEthers,
  token: string,
  name: string,
  opts: { fallback?: bigint; env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<bigint> {
  const raw = (opts.env ?? process.env)[name];
  const info = await tokenInfo(ethers, token);
  let amount: bigint;
  if (raw === undefined || raw.trim() === "") {
    if (opts.fallback === undefined) throw new UserError(`set ${name} (see the header of this script)`);
    amount = opts.fallback;
  } else amount = parseAmountWith(info, raw, name);
  (opts.log ?? ((line: string) => console.error(line)))(`${name} = ${formatWith(info, amount)}`);
  return amount;
}
