/**
 * The indexer's tables. The exported names are the GraphQL names (`device` / `devices`, ...); the first
 * argument of `onchainTable` is the SQL table name (served by `/sql/*`). Amounts are `bigint` (exact
 * uint256), ids of devices and assets are `bigint` (uint256), agreement, offer and order ids are `hex`
 * (bytes32), enums are their Solidity values (`integer`; names in @plinth/client's enums).
 *
 * Keep the names stable: the web app (app/) reads them.
 */
import { index, onchainTable, primaryKey } from "ponder";

// ------------------------------------------------------------------------------------------ devices

/** A device of the registry: its key, owner (the DeviceToken NFT), status, bound asset and lease. */
export const device = onchainTable(
  "device",
  (t) => ({
    /** deviceId = keccak256(abi.encode(keyType, keyA, keyB)) of its registration key. */
    id: t.bigint().primaryKey(),
    manufacturer: t.hex().notNull(),
    /** IDeviceRegistry.KeyType (1 secp256k1, 2 P-256, 3 ERC-7913) of the current key. */
    keyKind: t.integer().notNull(),
    keyA: t.hex().notNull(),
    keyB: t.hex().notNull(),
    model: t.hex().notNull(),
    firmwareHash: t.hex().notNull(),
    serialHash: t.hex().notNull(),
    /** Owner of the device NFT (null until claimed). */
    owner: t.hex(),
    /** IDeviceRegistry.DeviceStatus (1 Active, 2 Suspended, 3 Decommissioned). */
    status: t.integer().notNull(),
    /** Asset the device is bound to (null when unbound). */
    assetId: t.bigint(),
    /** Asset a bind request is pending for (null when none). */
    pendingAssetId: t.bigint(),
    /** ERC-4907 user of the device NFT and when its use ends (unix seconds; 0 when none). */
    leaseUser: t.hex(),
    leaseExpires: t.bigint().notNull(),
    readingCount: t.integer().notNull(),
    /** Block time of the last accepted reading (null when none). */
    lastReadingTime: t.bigint(),
    rejectedCount: t.integer().notNull(),
    registeredAt: t.bigint().notNull(),
    registeredBlock: t.bigint().notNull(),
  }),
  (table) => ({
    ownerIdx: index().on(table.owner),
    assetIdx: index().on(table.assetId),
  }),
);

/** An accepted device reading (AttestationAccepted): the time series per device and kind. */
export const reading = onchainTable(
  "reading",
  (t) => ({
    device: t.bigint().notNull(),
    /** Reading kind (ReadingKinds: 1 energy Wh, 2 self-test, 3 runtime s, 4 state of charge bps, ...). */
    kind: t.integer().notNull(),
    counter: t.bigint().notNull(),
    value: t.bigint().notNull(),
    odometer: t.bigint().notNull(),
    /** Block time (unix seconds) of the transaction that relayed the reading. */
    time: t.bigint().notNull(),
    block: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  // Counters strictly increase per device and kind: (device, kind, counter) is unique.
  (table) => ({ pk: primaryKey({ columns: [table.device, table.kind, table.counter] }) }),
);

/** A reading the registry rejected in a batch (AttestationRejected). */
export const rejectedReading = onchainTable("rejected_reading", (t) => ({
  /** Log id (block, transaction, log index). */
  id: t.text().primaryKey(),
  device: t.bigint().notNull(),
  /** Position in the relayed batch. */
  batchIndex: t.bigint().notNull(),
  /** IDeviceRegistry.AttestationStatus. */
  reason: t.integer().notNull(),
  time: t.bigint().notNull(),
  tx: t.hex().notNull(),
}));

/** A manufacturer admitted by governance. */
export const manufacturer = onchainTable("manufacturer", (t) => ({
  id: t.hex().primaryKey(),
  signer: t.hex().notNull(),
  active: t.boolean().notNull(),
}));

/** An ERC-7913 key admitted by DeviceKeys (KeyAdmitted). */
export const deviceKey = onchainTable("device_key", (t) => ({
  /** keccak256 of the key bytes. */
  id: t.hex().primaryKey(),
  verifier: t.hex().notNull(),
  key: t.hex().notNull(),
}));

// ------------------------------------------------------------------------------------------- assets

/** An asset of the registry. */
export const asset = onchainTable(
  "asset",
  (t) => ({
    id: t.bigint().primaryKey(),
    issuer: t.hex().notNull(),
    agent: t.hex().notNull(),
    pendingAgent: t.hex(),
    salt: t.hex().notNull(),
    /** IAssetRecords.AssetClass. */
    assetClass: t.integer().notNull(),
    jurisdiction: t.hex().notNull(),
    /** IAssetRegistry.AssetStatus (1 Active, 2 Frozen, 3 Retired). */
    status: t.integer().notNull(),
    metadataURI: t.text().notNull(),
    valuation: t.bigint(),
    valuationCurrency: t.hex(),
    valuationAppraiser: t.hex(),
    valuationDate: t.bigint(),
    leasedUntil: t.bigint().notNull(),
    /** Its AssetShares token (null until created). */
    shares: t.hex(),
    sharesName: t.text(),
    sharesSymbol: t.text(),
    sharesDecimals: t.integer(),
    /** Total supply of its shares, from Transfer events. */
    sharesSupply: t.bigint().notNull(),
    /** Its vault, shared by income, maintenance and rental (AssetVaults.VaultCreated). */
    vault: t.hex(),
    reserveBps: t.integer().notNull(),
    registeredAt: t.bigint().notNull(),
  }),
  (table) => ({ agentIdx: index().on(table.agent), sharesIdx: index().on(table.shares) }),
);

/** A document of an asset (DocumentAdded). */
export const assetDocument = onchainTable(
  "asset_document",
  (t) => ({
    asset: t.bigint().notNull(),
    index: t.bigint().notNull(),
    hash: t.hex().notNull(),
    uri: t.text().notNull(),
    /** Index of the document it supersedes (0 when none). */
    supersedes: t.bigint().notNull(),
    /** Index of the document that superseded it (null while current). */
    supersededBy: t.bigint(),
    time: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.asset, table.index] }) }),
);

/** An AssetShares clone (ShareFactory.SharesCreated): which asset a share token belongs to. */
export const shareToken = onchainTable("share_token", (t) => ({
  /** The token address, lower case. */
  id: t.hex().primaryKey(),
  asset: t.bigint().notNull(),
}));

/** A holder's share balance of an asset, kept from the share token's Transfer events. */
export const holding = onchainTable(
  "holding",
  (t) => ({
    asset: t.bigint().notNull(),
    holder: t.hex().notNull(),
    shares: t.hex().notNull(),
    balance: t.bigint().notNull(),
    /** Frozen amount (TokensFrozen / TokensUnfrozen / Recovered). */
    frozen: t.bigint().notNull(),
    walletFrozen: t.boolean().notNull(),
    lockedUntil: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.asset, table.holder] }), holderIdx: index().on(table.holder) }),
);

/** A share transfer (mints from and burns to the zero address included). */
export const shareTransfer = onchainTable("share_transfer", (t) => ({
  id: t.text().primaryKey(),
  asset: t.bigint().notNull(),
  from: t.hex().notNull(),
  to: t.hex().notNull(),
  amount: t.bigint().notNull(),
  time: t.bigint().notNull(),
  tx: t.hex().notNull(),
}));

/** An identity of the identity registry (KYC). */
export const identity = onchainTable("identity", (t) => ({
  id: t.hex().primaryKey(),
  country: t.integer().notNull(),
  expiry: t.bigint().notNull(),
  removed: t.boolean().notNull(),
}));

// ------------------------------------------------------------------------------------------- income

/** Income paid into an asset (IncomeDistributor.IncomeDeposited). */
export const incomeDeposit = onchainTable(
  "income_deposit",
  (t) => ({
    id: t.text().primaryKey(),
    asset: t.bigint().notNull(),
    token: t.hex().notNull(),
    depositor: t.hex().notNull(),
    amount: t.bigint().notNull(),
    received: t.bigint().notNull(),
    reserve: t.bigint().notNull(),
    fee: t.bigint().notNull(),
    toHolders: t.bigint().notNull(),
    time: t.bigint().notNull(),
    block: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.asset) }),
);

/** Income a holder claimed (IncomeClaimed). Claimable amounts are read from the chain: GET /claimable. */
export const incomeClaim = onchainTable(
  "income_claim",
  (t) => ({
    id: t.text().primaryKey(),
    asset: t.bigint().notNull(),
    holder: t.hex().notNull(),
    token: t.hex().notNull(),
    to: t.hex().notNull(),
    amount: t.bigint().notNull(),
    time: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  (table) => ({ holderIdx: index().on(table.holder) }),
);

/** A payout token of an asset (PayoutTokenRegistered), with its running totals. */
export const assetPayoutToken = onchainTable(
  "asset_payout_token",
  (t) => ({
    asset: t.bigint().notNull(),
    token: t.hex().notNull(),
    deposited: t.bigint().notNull(),
    toHolders: t.bigint().notNull(),
    reserve: t.bigint().notNull(),
    fees: t.bigint().notNull(),
    claimed: t.bigint().notNull(),
    reserveWithdrawn: t.bigint().notNull(),
    feesClaimed: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.asset, table.token] }) }),
);

/** Any other income event of an asset: buyouts, redemptions, reserve withdrawals, fee claims, moved entitlements. */
export const incomeEvent = onchainTable("income_event", (t) => ({
  id: t.text().primaryKey(),
  asset: t.bigint().notNull(),
  name: t.text().notNull(),
  token: t.hex(),
  account: t.hex(),
  to: t.hex(),
  amount: t.bigint().notNull(),
  time: t.bigint().notNull(),
  tx: t.hex().notNull(),
}));

// ------------------------------------------------------------------------------------------- rental

/** Rental terms stored by the escrow (TermsStored). */
export const rentalTerms = onchainTable("rental_terms", (t) => ({
  id: t.hex().primaryKey(),
  /** IRentalTypes.SubjectKind (1 asset, 2 device). */
  subjectKind: t.integer().notNull(),
  subjectId: t.bigint().notNull(),
}));

/** A published rental offer (RentalMarket). */
export const offer = onchainTable(
  "offer",
  (t) => ({
    id: t.hex().primaryKey(),
    owner: t.hex().notNull(),
    termsHash: t.hex().notNull(),
    subjectKind: t.integer(),
    subjectId: t.bigint(),
    active: t.boolean().notNull(),
    publishedAt: t.bigint().notNull(),
  }),
  (table) => ({ ownerIdx: index().on(table.owner) }),
);

/** A rental agreement of the escrow. */
export const agreement = onchainTable(
  "agreement",
  (t) => ({
    id: t.hex().primaryKey(),
    termsHash: t.hex().notNull(),
    subjectKind: t.integer(),
    subjectId: t.bigint(),
    renter: t.hex().notNull(),
    owner: t.hex().notNull(),
    /**
     * Stored IRentalTypes.State (1 Reserved, 2 Active, 3 TerminatedEarly, 4 Settling, 5 Closed). `Ended`
     * (6) is not stored: the escrow's `stateOf` reports it for an Active agreement once `end` has passed.
     */
    state: t.integer().notNull(),
    /** IRentalTypes.EndReason (0 while running). */
    endReason: t.integer().notNull(),
    duration: t.bigint().notNull(),
    credit: t.bigint().notNull(),
    deposit: t.bigint().notNull(),
    start: t.bigint(),
    end: t.bigint(),
    /** Metered units billed so far (the sum of MeterSettled's) and measured but carried above the cap (the last one). */
    billedUnits: t.bigint().notNull(),
    carriedUnits: t.bigint().notNull(),
    /**
     * The meter's mark (the last reading settled: MeterSettled), null before the first settlement. The meters live
     * in the escrow's RentalMeter: `meterOf(id)` there also has the baseline taken at activation.
     */
    meterCounter: t.bigint(),
    meterOdometer: t.bigint(),
    meteredCharge: t.bigint().notNull(),
    /** Rent paid out to the owner side, net of the protocol fee (RentPaid). */
    rentPaid: t.bigint().notNull(),
    feePaid: t.bigint().notNull(),
    toppedUp: t.bigint().notNull(),
    refund: t.bigint(),
    badDebt: t.bigint(),
    depositHeld: t.bigint(),
    defaultDebt: t.bigint(),
    /** Damage claim on the deposit (RentalClaims). */
    claimAmount: t.bigint(),
    claimEvidence: t.hex(),
    disputeId: t.bigint(),
    ruling: t.bigint(),
    claimToOwner: t.bigint(),
    claimToRenter: t.bigint(),
    openedAt: t.bigint().notNull(),
  }),
  (table) => ({ renterIdx: index().on(table.renter), ownerIdx: index().on(table.owner) }),
);

/** A metering step of an agreement (MeterSettled). */
export const meterSettlement = onchainTable("meter_settlement", (t) => ({
  id: t.text().primaryKey(),
  agreement: t.hex().notNull(),
  counter: t.bigint().notNull(),
  odometer: t.bigint().notNull(),
  units: t.bigint().notNull(),
  billedUnits: t.bigint().notNull(),
  carriedUnits: t.bigint().notNull(),
  charge: t.bigint().notNull(),
  time: t.bigint().notNull(),
}));

// -------------------------------------------------------------------------------------- maintenance

/** A maintenance order. */
export const maintenanceOrder = onchainTable(
  "maintenance_order",
  (t) => ({
    id: t.hex().primaryKey(),
    asset: t.bigint().notNull(),
    device: t.bigint().notNull(),
    payer: t.hex().notNull(),
    token: t.hex().notNull(),
    budget: t.bigint().notNull(),
    /** IMaintenance.State (1 Open, 2 Active, 3 Completed, 4 Cancelled, 5 Expired, 6 Defaulted). */
    state: t.integer().notNull(),
    provider: t.hex(),
    acceptBy: t.bigint().notNull(),
    completeBy: t.bigint().notNull(),
    fromReserve: t.boolean().notNull(),
    /** Accepted price and provider bond. */
    amount: t.bigint(),
    bond: t.bigint(),
    baseCounter: t.bigint(),
    /** Sum of released milestones paid to the provider. */
    released: t.bigint().notNull(),
    releasedCount: t.integer().notNull(),
    refunded: t.bigint().notNull(),
    slashed: t.bigint().notNull(),
    bondReturned: t.bigint(),
    reissuedAs: t.hex(),
    reissueOf: t.hex(),
    createdAt: t.bigint().notNull(),
  }),
  (table) => ({ assetIdx: index().on(table.asset), providerIdx: index().on(table.provider) }),
);

/** A milestone of an order: its evidence, claim, challenge and payout. */
export const milestone = onchainTable(
  "milestone",
  (t) => ({
    order: t.hex().notNull(),
    index: t.integer().notNull(),
    /** Evidence sources agreeing now (EvidenceAccepted / EvidenceWithdrawn). */
    agreeing: t.integer().notNull(),
    /** Bit mask of sources that accepted (bit 0 device, 1 optimistic, 2+i inspector i). */
    lastSource: t.integer(),
    claimEnds: t.bigint(),
    disputeId: t.bigint(),
    arbiter: t.hex(),
    failedInspections: t.integer().notNull(),
    released: t.bigint(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.order, table.index] }) }),
);

// --------------------------------------------------------------------------------- disputes, custody

/** A dispute of the dispute module (rental damage claims, maintenance milestone claims). */
export const dispute = onchainTable("dispute", (t) => ({
  id: t.bigint().primaryKey(),
  arbitrable: t.hex().notNull(),
  arbiter: t.hex().notNull(),
  deadline: t.bigint().notNull(),
  defaultRuling: t.integer().notNull(),
  ruling: t.bigint(),
  byTimeout: t.boolean(),
}));

/**
 * A party's balance in an escrow's custody (RentalCustody / MaintenanceCustody: Credited, Withdrawn /
 * Claimed); `scope` is the custody id (rental) or the asset id (maintenance).
 */
export const custodyBalance = onchainTable(
  "custody_balance",
  (t) => ({
    custody: t.hex().notNull(),
    party: t.hex().notNull(),
    scope: t.bigint().notNull(),
    token: t.hex().notNull(),
    credited: t.bigint().notNull(),
    withdrawn: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.custody, table.party, table.scope, table.token] }) }),
);

/** A vault clone (AssetVaults.VaultCreated): an asset's, or an unbound rented device's (scope = the custody id). */
export const vault = onchainTable("vault", (t) => ({
  id: t.hex().primaryKey(),
  creator: t.hex().notNull(),
  scope: t.bigint().notNull(),
}));

// ----------------------------------------------------------------------------------- configuration

/** A role held on a suite contract (RoleGranted / RoleRevoked). */
export const roleMember = onchainTable(
  "role_member",
  (t) => ({
    contract: t.hex().notNull(),
    role: t.hex().notNull(),
    account: t.hex().notNull(),
    active: t.boolean().notNull(),
    by: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.contract, table.role, table.account] }) }),
);

/** A token allowed (or no longer) by a contract (TokenAllowed, PayoutTokenSet). */
export const allowedToken = onchainTable(
  "allowed_token",
  (t) => ({ contract: t.hex().notNull(), token: t.hex().notNull(), allowed: t.boolean().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.contract, table.token] }) }),
);

/** The latest value of a contract's setting event (fees, recipients, arbiters, freshness, share config, ...). */
export const setting = onchainTable(
  "setting",
  (t) => ({
    contract: t.hex().notNull(),
    /** The event name, with its key when it has one (`CountryBlockedSet:840`). */
    name: t.text().notNull(),
    /** The event's arguments (bigints as decimal strings). */
    value: t.json().notNull(),
    block: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.contract, table.name] }) }),
);

/** Every suite event other than readings and share transfers, as a log (contract, name, arguments). */
export const activity = onchainTable(
  "activity",
  (t) => ({
    id: t.text().primaryKey(),
    contract: t.text().notNull(),
    address: t.hex().notNull(),
    name: t.text().notNull(),
    args: t.json().notNull(),
    time: t.bigint().notNull(),
    block: t.bigint().notNull(),
    tx: t.hex().notNull(),
  }),
  (table) => ({ nameIdx: index().on(table.name) }),
);
