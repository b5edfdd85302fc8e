/**
 * Solidity panic codes (`Panic(uint256)`) and what they mean, shared by the client's error decoder and
 * the operator scripts (which cannot import the decoder before the client's ABIs are generated).
 */
export const PANIC_REASONS: Record<number, string> = {
  0x01: "assertion failed",
  0x11: "arithmetic overflow or underflow",
  0x12: "division or modulo by zero",
  0x21: "invalid enum value",
  0x22: "invalid storage byte array",
  0x31: "pop on empty array",
  0x32: "array index out of bounds",
  0x41: "out of memory",
  0x51: "call to an uninitialized function",
};
