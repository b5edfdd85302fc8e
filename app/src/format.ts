/** Formatting shared by every screen. */
import { formatUnits } from "viem";

export const short = (value: string | bigint, keep = 8) => {
  const s = typeof value === "bigint" ? `0x${value.toString(16).padStart(64, "0")}` : value;
  return s.length <= keep * 2 + 2 ? s : `${s.slice(0, keep + 2)}…${s.slice(-4)}`;
};

/** A token amount with at most `digits` decimals, no exponent (e.g. "1,234.56"). */
export function amount(value: bigint, decimals: number, digits = 6): string {
  const [int, frac = ""] = formatUnits(value, decimals).split(".");
  const grouped = BigInt(int!).toLocaleString("en-US");
  const cut = frac.slice(0, digits).replace(/0+$/, "");
  return cut === "" ? grouped : `${grouped}.${cut}`;
}

export const time = (seconds: bigint | number) =>
  new Date(Number(seconds) * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "");
