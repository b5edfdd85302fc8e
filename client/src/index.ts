/**
 * @plinth/client: everything a dApp needs to talk to a deployed Plinth suite. Browser-safe: nothing
 * here imports `node:*` (WebCrypto is `globalThis.crypto`); Node-only helpers are in `@plinth/client/node`.
 *
 * - ABIs `as const` (viem / wagmi): `deviceRegistryAbi`, ..., and `abis` by name
 * - TypeChain (ethers v6) types and factories: `DeviceRegistry`, `DeviceRegistry__factory`, ...
 * - Addresses per chain id: `deployments`, `getDeployment(chainId)`, `connectSuite(chainId, runner)`
 * - viem's `Address` / `Hex` types across the API
 * - EIP-712 builders and signing for ethers signers and viem accounts (`eip712.<area>`), device signers
 *   (`signers.<name>`)
 * - Real device keys as hardware exports them (SPKI DER / PEM, JWK, SEC1 points) to the registry's key
 *   form and deviceId: `importDeviceKey(input)`, `deviceKeyFromPem`, `deviceKeyFromJwk`, ...
 * - ERC-7913 device keys `{ verifier, key }` for the suite's OpenZeppelin verifiers: passkeys
 *   (`webAuthnKey`, `webAuthnKeyFromRegistration`: SPKI, JWK, SEC1, COSE) and RSA-2048+ keys (`rsaKey`: SPKI,
 *   PKCS#1, JWK, COSE); their signers are `signers.webauthn.WebAuthnDeviceSigner` (navigator.credentials),
 *   `signers.rsa.WebCryptoRsaSigner` and, for tests and simulators, `signers.webauthnAuthenticator.SoftwareAuthenticator`
 *   and `DeterministicWebAuthnSigner`; `signers.devices.Erc7913RegistrySigner` makes any of them a registry device
 *   signer (key type Erc7913, keyA = verifier, keyB = keccak256(key), deviceId, signatures `abi.encode(key, sig)`)
 * - The contracts' enums, generated from their sources: `enums.RentalState.Active`, `enums.RentalStateNames[n]`
 * - Readable custom errors: `decodeError(error)`, `decodeRevertData(data)` -> `{ name, args, message }`
 */
export * from "./generated/abis.js";
export * from "./generated/typechain/index.js";
export { deployments } from "./generated/deployments.js";
export { suiteFactories } from "./generated/contracts.js";
export * as eip712 from "./generated/eip712.js";
export * as signers from "./generated/signers.js";
export * as enums from "./enums.js";
export { decodeError, decodeRevertData, knownErrors, revertDataOf, type DecodedError } from "./errors.js";
export { asAddress, asHex, bytesToHex, hexToBytes, isAddress, isHex, type Address, type Hex } from "./types.js";
export {
  isViemSigner,
  signTypedMessage,
  toViemDomain,
  type Eip712Domain,
  type EthersTypedDataSigner,
  type TypedDataParameter,
  type TypedDataSigner,
  type ViemTypedDataDomain,
  type ViemTypedDataSigner,
} from "./typed-data.js";
export {
  KeyImportError,
  deviceKeyFromJwk,
  deviceKeyFromPem,
  deviceKeyFromPoint,
  deviceKeyFromSpki,
  importDeviceKey,
  parseKeyCurve,
  type DeviceKey,
  type DeviceKeyCurve,
  type EcPublicJwk,
} from "./keys.js";
export {
  decodeRsaKeyBytes,
  rsaKey,
  rsaKeyBytes,
  webAuthnKey,
  webAuthnKeyBytes,
  webAuthnKeyFromRegistration,
  type Erc7913DeviceSigner,
  type Erc7913Key,
  type Erc7913Scheme,
  type WebAuthnKeyInput,
} from "./keys/erc7913.js";
export {
  RSA_MIN_BITS,
  importRsaPublicKey,
  rsaPublicKey,
  rsaPublicKeyFromCose,
  rsaPublicKeyFromJwk,
  rsaPublicKeyFromPem,
  rsaPublicKeyFromPkcs1,
  rsaPublicKeyFromSpki,
  type RsaPublicJwk,
  type RsaPublicKey,
} from "./keys/rsa.js";
export {
  AUTH_FLAGS,
  COSE,
  authenticatorDataOfAttestation,
  credentialKeyOfAttestation,
  parseAuthenticatorData,
  parseCoseKey,
  type AuthenticatorData,
  type CosePublicKey,
} from "./keys/cose.js";
export {
  SUITE_CONTRACTS,
  connectSuite,
  getDeployment,
  suiteAddresses,
  supportedChains,
  type Suite,
  type SuiteAddresses,
  type SuiteContractName,
} from "./suite.js";
