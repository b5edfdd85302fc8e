// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {IncomeDistributor} from "../../contracts/income/IncomeDistributor.sol";
import {IAssetRegistry} from "../../contracts/interfaces/IAssetRegistry.sol";
import {MockAssetRegistry} from "../../contracts/test/doubles/Registries.sol";
import {MockAssetShares} from "../../contracts/test/income/MockAssetShares.sol";
import {MockPayoutToken} from "../../contracts/test/doubles/Tokens.sol";
import {IIncomeLedger} from "../../contracts/interfaces/IIncomeLedger.sol";

interface IHandlerVm {
    function prank(address msgSender) external;
    function deal(address account, uint256 newBalance) external;
}

/// @title IncomeHandler
/// @notice Invariant-test handler: random deposits (two ERC-20s and ETH), claims, transfers, mints,
///         burns, forced transfers, recoveries and reserve withdrawals among five holders. It keeps
///         a shadow ledger of each holder's exact entitlement, scaled by PRECISION, computed from the
///         balances at each deposit (independently of the distributor's per-share arithmetic).
contract IncomeHandler {
    IHandlerVm private constant vm = IHandlerVm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 public constant ASSET = 1;
    uint256 public constant HOLDERS = 5;
    /// @notice Scale of the shadow ledger (entitlements in wei * PRECISION).
    uint256 public constant PRECISION = 1e30;
    address public constant SINK = address(0xC0FFEE);

    IncomeDistributor public immutable distributor;
    MockAssetShares public immutable shares;
    address[3] public tokens;
    address[HOLDERS] public holders;

    /// @notice Per token: net deposits to holders, total claimed, total reserve withdrawn.
    mapping(address => uint256) public netDeposited;
    mapping(address => uint256) public totalClaimed;
    mapping(address => uint256) public reserveWithdrawn;
    /// @notice Shadow exact entitlement (scaled) and withdrawn amount per token and holder.
    mapping(address => mapping(address => uint256)) public exactScaled;
    mapping(address => mapping(address => uint256)) public shadowWithdrawn;
    /// @notice Number of deposits per token (bound on the shadow's own rounding).
    mapping(address => uint256) public deposits;
    uint256 public calls;

    constructor(IncomeDistributor distributor_, MockAssetShares shares_, address dai, address usdc) {
        distributor = distributor_;
        shares = shares_;
        tokens = [dai, usdc, address(0)];
        for (uint256 i = 0; i < HOLDERS; ++i) {
            holders[i] = address(uint160(0x1001 + i));
        }
        MockPayoutToken(dai).approve(address(distributor_), type(uint256).max);
        MockPayoutToken(usdc).approve(address(distributor_), type(uint256).max);
    }

    /// @notice Mints the initial shares (this handler is the asset's agent).
    function seed() external {
        for (uint256 i = 0; i < HOLDERS; ++i) {
            shares.mint(holders[i], (i + 1) * 1e18);
        }
    }

    function deposit(uint256 tokenSeed, uint256 amount) external {
        uint256 supply = shares.totalSupply();
        if (supply == 0) return;
        address token = tokens[tokenSeed % 3];
        amount = _bound(amount, 1, token == tokens[1] ? 1e13 : 1e24);
        uint256 toHolders;
        if (token == address(0)) {
            vm.deal(address(this), amount);
            toHolders = distributor.deposit{value: amount}(ASSET, token, amount);
        } else {
            MockPayoutToken(token).mint(address(this), amount);
            toHolders = distributor.deposit(ASSET, token, amount);
        }
        netDeposited[token] += toHolders;
        deposits[token] += 1;
        for (uint256 i = 0; i < HOLDERS; ++i) {
            address h = holders[i];
            exactScaled[token][h] += (toHolders * PRECISION * shares.balanceOf(h)) / supply;
        }
        calls++;
    }

    function claim(uint256 holderSeed, uint256 tokenSeed) external {
        address h = holders[holderSeed % HOLDERS];
        address token = tokens[tokenSeed % 3];
        uint256 owed = distributor.claimableOf(ASSET, token, h);
        if (owed == 0) return;
        vm.prank(h);
        uint256 paid = distributor.claim(ASSET, token, SINK);
        totalClaimed[token] += paid;
        shadowWithdrawn[token][h] += paid;
        calls++;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = holders[fromSeed % HOLDERS];
        address to = holders[toSeed % HOLDERS];
        amount = _bound(amount, 0, shares.balanceOf(from));
        vm.prank(from);
        shares.transfer(to, amount);
        calls++;
    }

    function mint(uint256 toSeed, uint256 amount) external {
        shares.mint(holders[toSeed % HOLDERS], _bound(amount, 1, 1e22));
        calls++;
    }

    function burn(uint256 fromSeed, uint256 amount) external {
        address from = holders[fromSeed % HOLDERS];
        shares.burn(from, _bound(amount, 0, shares.balanceOf(from)));
        calls++;
    }

    function forcedTransfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = holders[fromSeed % HOLDERS];
        shares.forcedTransfer(from, holders[toSeed % HOLDERS], _bound(amount, 0, shares.balanceOf(from)));
        calls++;
    }

    function recover(uint256 lostSeed, uint256 replacementSeed) external {
        address lost = holders[lostSeed % HOLDERS];
        address replacement = holders[replacementSeed % HOLDERS];
        if (lost == replacement || shares.balanceOf(lost) == 0) return;
        // The distributor moves the whole-wei unclaimed entitlement; mirror exactly that.
        uint256[3] memory owed;
        for (uint256 t = 0; t < 3; ++t) owed[t] = distributor.claimableOf(ASSET, tokens[t], lost);
        shares.recover(lost, replacement);
        for (uint256 t = 0; t < 3; ++t) {
            exactScaled[tokens[t]][lost] -= owed[t] * PRECISION;
            exactScaled[tokens[t]][replacement] += owed[t] * PRECISION;
        }
        calls++;
    }

    function withdrawReserve(uint256 tokenSeed, uint256 amount) external {
        address token = tokens[tokenSeed % 3];
        uint256 available = distributor.reserveOf(ASSET, token);
        if (available == 0) return;
        amount = _bound(amount, 1, available);
        distributor.withdrawReserve(ASSET, token, amount, SINK);
        reserveWithdrawn[token] += amount;
        calls++;
    }

    /// @notice Buyout state mirrored by the handler.
    bool public retired;
    uint256 public proceedsPaid;
    /// @notice Set if a redemption paid anything but floor(proceeds * shares / supplyAtRetire).
    bool public redemptionMismatch;

    /// The agent sells the asset (dai proceeds) once enough other actions happened; afterwards
    /// only claims, redemptions and reserve withdrawals succeed.
    function retire(uint256 proceeds) external {
        if (retired || calls < 16 || shares.totalSupply() == 0) return;
        proceeds = _bound(proceeds, 1, 1e24);
        MockPayoutToken(tokens[0]).mint(address(this), proceeds);
        distributor.depositBuyout(ASSET, tokens[0], proceeds);
        retired = true;
        calls++;
    }

    function redeem(uint256 holderSeed) external {
        address h = holders[holderSeed % HOLDERS];
        uint256 balance = shares.balanceOf(h);
        if (!retired || balance == 0) return;
        uint256[3] memory owed;
        for (uint256 t = 0; t < 3; ++t) owed[t] = distributor.claimableOf(ASSET, tokens[t], h);
        IIncomeLedger.Buyout memory b = distributor.buyoutOf(ASSET);
        vm.prank(h);
        uint256 paid = distributor.redeem(ASSET, SINK);
        if (paid != (b.proceeds * balance) / b.supplyAtRetire) redemptionMismatch = true;
        proceedsPaid += paid;
        for (uint256 t = 0; t < 3; ++t) {
            totalClaimed[tokens[t]] += owed[t];
            shadowWithdrawn[tokens[t]][h] += owed[t];
        }
        calls++;
    }

    /// @notice Test helper: the tokens.
    function allTokens() external view returns (address[3] memory) {
        return tokens;
    }

    /// @notice Test helper: the holders.
    function allHolders() external view returns (address[HOLDERS] memory) {
        return holders;
    }

    receive() external payable {}

    function _bound(uint256 x, uint256 lo, uint256 hi) private pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + (x % (hi - lo + 1));
    }
}

/// @notice Invariants of the income distributor under random deposits, claims, transfers, mints,
///         burns, forced transfers, recoveries and reserve withdrawals among five holders.
contract IncomeDistributorInvariantTest is PlinthTest {
    uint256 internal constant ASSET = 1;
    IncomeDistributor internal distributor;
    MockAssetShares internal shares;
    IncomeHandler internal handler;
    MockPayoutToken internal dai;
    MockPayoutToken internal usdc;

    function setUp() public {
        MockAssetRegistry registry = new MockAssetRegistry(address(this));
        distributor = new IncomeDistributor(registry, address(this), address(0xFEE), 100, 2_000);
        distributor.setCustodians(address(0), address(0));
        registry.grantRole(registry.BUYOUT_ROLE(), address(distributor));
        shares = new MockAssetShares(registry, distributor, ASSET);
        dai = new MockPayoutToken("Dai", "DAI", 18);
        usdc = new MockPayoutToken("USD Coin", "USDC", 6);
        distributor.setPayoutToken(address(dai), true);
        distributor.setPayoutToken(address(usdc), true);
        handler = new IncomeHandler(distributor, shares, address(dai), address(usdc));
        registry.setAsset(ASSET, address(handler), IAssetRegistry.AssetStatus.Active, address(shares));
        distributor.grantRole(distributor.RESERVE_SPENDER_ROLE(), address(handler));
        vm.prank(address(handler));
        distributor.setReserveRate(ASSET, 1_000);
        handler.seed();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// Every wei deposited is somewhere: claimed + claimable + dust == deposited net of carve-outs,
    /// dust is below one wei per holder, and the asset's vault holds exactly what the distributor
    /// owes for the asset (the distributor itself holds nothing).
    function invariant_everyWeiIsAccounted() public view {
        address[3] memory tokens = handler.allTokens();
        address[5] memory holders = handler.allHolders();
        for (uint256 t = 0; t < 3; ++t) {
            address token = tokens[t];
            (, uint256 distributed, uint256 claimed, ) = distributor.incomeAccountingOf(ASSET, token);
            assertEq(distributed, handler.netDeposited(token), "distributed == net deposits");
            assertEq(claimed, handler.totalClaimed(token), "claimed == paid to holders");
            uint256 claimable;
            for (uint256 i = 0; i < holders.length; ++i) {
                claimable += distributor.claimableOf(ASSET, token, holders[i]);
            }
            assertLe(claimed + claimable, distributed, "never more than deposited");
            assertLe(distributed - claimed - claimable, holders.length + 1, "dust below a wei per holder");
            address vault = distributor.vaultOf(ASSET);
            uint256 held = token == address(0) ? vault.balance : MockPayoutToken(token).balanceOf(vault);
            uint256 stray =
                token == address(0)
                    ? address(distributor).balance
                    : MockPayoutToken(token).balanceOf(address(distributor));
            assertEq(stray, 0, "the distributor itself holds nothing");
            uint256 owed =
                distributed - claimed + distributor.reserveOf(ASSET, token) + distributor.feesOf(ASSET, token);
            IIncomeLedger.Buyout memory b = distributor.buyoutOf(ASSET);
            if (b.supplyAtRetire != 0 && b.token == token) owed += b.proceeds - b.paid;
            assertEq(held, owed, "balance == owed to holders + reserve + fees + unpaid proceeds");
        }
    }

    /// Redemptions pay exactly floor(proceeds * shares / supplyAtRetire), never more than the
    /// proceeds in total, and leave less than one wei per redeemer once all shares are redeemed.
    function invariant_redemptionsPayTheFloorOfTheirShareOfTheProceeds() public view {
        assertTrue(!handler.redemptionMismatch(), "each redemption pays its floor");
        IIncomeLedger.Buyout memory b = distributor.buyoutOf(ASSET);
        assertEq(b.paid, handler.proceedsPaid(), "paid == sum of redemptions");
        assertLe(b.paid, b.proceeds, "never more than the proceeds");
        if (b.supplyAtRetire != 0 && b.redeemedShares == b.supplyAtRetire) {
            assertLe(b.proceeds - b.paid, handler.HOLDERS(), "dust below a wei per redeemer");
        }
    }

    /// No holder ever accrues more than its exact pro-rata share (shadow ledger), nor more than
    /// one wei less.
    function invariant_noHolderAccruesMoreThanItsExactShare() public view {
        address[3] memory tokens = handler.allTokens();
        address[5] memory holders = handler.allHolders();
        uint256 p = handler.PRECISION();
        for (uint256 t = 0; t < 3; ++t) {
            address token = tokens[t];
            uint256 shadowRounding = handler.deposits(token); // the shadow floors once per deposit
            for (uint256 i = 0; i < holders.length; ++i) {
                address h = holders[i];
                uint256 accrued = distributor.claimableOf(ASSET, token, h) + distributor.withdrawnOf(ASSET, token, h);
                assertEq(distributor.withdrawnOf(ASSET, token, h), handler.shadowWithdrawn(token, h), "withdrawn");
                uint256 exact = handler.exactScaled(token, h);
                assertLe(accrued * p, exact + shadowRounding, "accrued <= exact share");
                assertLe(exact, accrued * p + p + shadowRounding, "exact - accrued <= 1 wei");
            }
        }
    }
}

/// @notice Fuzz properties: share movements never change what was accrued; deposits split exactly.
contract IncomeDistributorFuzzTest is PlinthTest {
    uint256 internal constant ASSET = 1;
    address internal constant AGENT = address(0xA6E);
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);
    IncomeDistributor internal distributor;
    MockAssetShares internal shares;
    MockPayoutToken internal usdc;
    MockAssetRegistry internal registry;

    function setUp() public {
        registry = new MockAssetRegistry(address(this));
        distributor = new IncomeDistributor(registry, address(this), address(0xFEE), 100, 2_000);
        distributor.setCustodians(address(0), address(0));
        shares = new MockAssetShares(registry, distributor, ASSET);
        usdc = new MockPayoutToken("USD Coin", "USDC", 6);
        distributor.setPayoutToken(address(usdc), true);
        registry.setAsset(ASSET, AGENT, IAssetRegistry.AssetStatus.Active, address(shares));
        usdc.approve(address(distributor), type(uint256).max);
        vm.prank(AGENT);
        distributor.registerPayoutToken(ASSET, address(usdc));
    }

    function _setup(uint256 aliceShares, uint256 bobShares, uint256 amount) internal returns (uint256, uint256) {
        // At least one whole share: later mints stay within the documented 2**32 supply headroom.
        aliceShares = 1e18 + (aliceShares % 1e27);
        bobShares = bobShares % 1e27;
        amount = 1 + (amount % 1e15);
        vm.startPrank(AGENT);
        shares.mint(ALICE, aliceShares);
        if (bobShares > 0) shares.mint(BOB, bobShares);
        vm.stopPrank();
        usdc.mint(address(this), amount);
        distributor.deposit(ASSET, address(usdc), amount);
        return (aliceShares, amount);
    }

    /// A transfer of any amount between two holders leaves both holders' accrued income unchanged.
    function testFuzz_TransferNeverChangesWhatWasAccrued(
        uint256 aliceShares,
        uint256 bobShares,
        uint256 amount,
        uint256 moved
    ) public {
        (aliceShares, ) = _setup(aliceShares, bobShares, amount);
        moved = moved % (aliceShares + 1);
        uint256 a = distributor.claimableOf(ASSET, address(usdc), ALICE);
        uint256 b = distributor.claimableOf(ASSET, address(usdc), BOB);
        vm.prank(ALICE);
        shares.transfer(BOB, moved);
        assertEq(distributor.claimableOf(ASSET, address(usdc), ALICE), a, "sender accrual unchanged");
        assertEq(distributor.claimableOf(ASSET, address(usdc), BOB), b, "receiver accrual unchanged");
    }

    /// Mints, burns and forced transfers leave every holder's accrued income unchanged.
    function testFuzz_MintBurnForcedTransferNeverChangeWhatWasAccrued(
        uint256 aliceShares,
        uint256 bobShares,
        uint256 amount,
        uint256 x
    ) public {
        (aliceShares, ) = _setup(aliceShares, bobShares, amount);
        uint256 a = distributor.claimableOf(ASSET, address(usdc), ALICE);
        uint256 b = distributor.claimableOf(ASSET, address(usdc), BOB);
        vm.startPrank(AGENT);
        shares.mint(BOB, x % 1e27);
        shares.burn(ALICE, x % (aliceShares + 1));
        shares.forcedTransfer(BOB, ALICE, shares.balanceOf(BOB) / 2);
        vm.stopPrank();
        assertEq(distributor.claimableOf(ASSET, address(usdc), ALICE), a, "alice accrual unchanged");
        assertEq(distributor.claimableOf(ASSET, address(usdc), BOB), b, "bob accrual unchanged");
    }

    /// Alice holds 3 shares; the reserve rate (up to 20 %) and the protocol fee (up to 10 %) are set from the seeds.
    function _rates(uint16 reserveSeed, uint16 feeSeed) internal returns (uint16 reserveBps, uint16 feeBps) {
        reserveBps = uint16(reserveSeed % 2_001);
        feeBps = uint16(feeSeed % 1_001);
        vm.prank(AGENT);
        shares.mint(ALICE, 3);
        distributor.setProtocolFee(feeBps);
        vm.prank(AGENT);
        distributor.setReserveRate(ASSET, reserveBps);
    }

    /// Every deposit splits exactly: reserve + fee + holders' part == amount, rates as set.
    function testFuzz_DepositSplitsExactly(uint256 amount, uint16 reserveBps, uint16 feeBps) public {
        (reserveBps, feeBps) = _rates(reserveBps, feeBps);
        amount = 1 + (amount % 1e27); // within the documented 2**95 cumulative-income bound
        usdc.mint(address(this), amount);
        uint256 toHolders = distributor.deposit(ASSET, address(usdc), amount);
        uint256 reserve = distributor.reserveOf(ASSET, address(usdc));
        uint256 fee = distributor.feesOf(ASSET, address(usdc));
        assertEq(reserve + fee + toHolders, amount, "split sums to amount");
        assertEq(reserve, (amount * reserveBps) / 10_000, "reserve rounded down");
        assertEq(fee, (amount * feeBps) / 10_000, "fee rounded down");
        assertLe(distributor.claimableOf(ASSET, address(usdc), ALICE), toHolders, "holder <= deposit");
        assertGe(distributor.claimableOf(ASSET, address(usdc), ALICE) + 1, toHolders, "sole holder gets all");
    }

    /// Splitting a deposit in parts, at any rates, sets aside the same reserve and fee as one deposit of the sum:
    /// each carries its part below one unit into the next deposit's split, so a depositor's cadence (a rental's rent
    /// arrives at every `collect`, which anyone may call) moves nothing between holders, reserve and fee recipient.
    function testFuzz_SplittingADepositChangesNeitherReserveNorFee(
        uint256 amount,
        uint256 partsSeed,
        uint16 reserveBps,
        uint16 feeBps
    ) public {
        (reserveBps, feeBps) = _rates(reserveBps, feeBps);
        uint256 parts = 1 + (partsSeed % 30);
        amount = parts + (amount % 1e9); // at least one unit per part: small parts are where rounding bites
        usdc.mint(address(this), amount);
        uint256 toHolders;
        uint256 left = amount;
        for (uint256 i = 0; i < parts; ++i) {
            uint256 part = i + 1 == parts ? left : amount / parts;
            left -= part;
            toHolders += distributor.deposit(ASSET, address(usdc), part);
        }
        uint256 reserve = distributor.reserveOf(ASSET, address(usdc));
        uint256 fee = distributor.feesOf(ASSET, address(usdc));
        (uint256 reserveCarried, uint256 feeCarried) = distributor.carriedOf(ASSET, address(usdc));
        assertEq(reserve + fee + toHolders, amount, "split sums to amount");
        assertEq(reserve * 10_000 + reserveCarried, amount * reserveBps, "reserve exact, in 1/BPS of a unit");
        assertEq(fee * 10_000 + feeCarried, amount * feeBps, "fee exact, in 1/BPS of a unit");
        assertEq(reserve, (amount * reserveBps) / 10_000, "the reserve of one deposit of the sum");
        // A part too small for both its reserve and its fee defers the fee to the next deposit (never lost).
        assertLe(feeCarried, 2 * 10_000 - 1, "a deferred fee stays below two units");
        if (feeCarried < 10_000) assertEq(fee, (amount * feeBps) / 10_000, "the fee of one deposit of the sum");
    }

    /// Redemptions of any three balances pay each holder its floor of proceeds * shares / supply,
    /// never more than the proceeds in total, and leave less than one wei per redeemer as dust.
    function testFuzz_RedemptionsNeverExceedTheProceeds(uint256 x, uint256 y, uint256 z, uint256 proceeds) public {
        address carol = address(0xCA801);
        x = 1 + (x % 1e27);
        y = 1 + (y % 1e27);
        z = 1 + (z % 1e27);
        proceeds = 1 + (proceeds % 1e30);
        vm.startPrank(AGENT);
        shares.mint(ALICE, x);
        shares.mint(BOB, y);
        shares.mint(carol, z);
        vm.stopPrank();
        registry.grantRole(registry.BUYOUT_ROLE(), address(distributor));
        usdc.mint(AGENT, proceeds);
        vm.startPrank(AGENT);
        usdc.approve(address(distributor), proceeds);
        distributor.depositBuyout(ASSET, address(usdc), proceeds);
        vm.stopPrank();
        uint256 supply = x + y + z;
        uint256 paid;
        address[3] memory holders = [ALICE, BOB, carol];
        uint256[3] memory balances = [x, y, z];
        for (uint256 i = 0; i < 3; ++i) {
            vm.prank(holders[i]);
            uint256 got = distributor.redeem(ASSET, holders[i]);
            assertEq(got, (proceeds * balances[i]) / supply, "floor of the pro-rata proceeds");
            paid += got;
        }
        assertLe(paid, proceeds, "never more than the proceeds");
        assertEq(distributor.buyoutRemainingOf(ASSET), proceeds - paid, "dust visible");
        assertLe(proceeds - paid, 2, "dust below one wei per redeemer");
        assertEq(usdc.balanceOf(distributor.vaultOf(ASSET)), proceeds - paid, "the dust is what is left");
        assertEq(usdc.balanceOf(address(distributor)), 0, "in the asset's vault");
    }

    /// Recovery moves exactly the lost wallet's unclaimed income; nothing is created or lost.
    function testFuzz_RecoveryMovesExactlyTheUnclaimedIncome(
        uint256 aliceShares,
        uint256 bobShares,
        uint256 amount
    ) public {
        _setup(aliceShares, bobShares, amount);
        address carol = address(0xCA801);
        uint256 a = distributor.claimableOf(ASSET, address(usdc), ALICE);
        uint256 b = distributor.claimableOf(ASSET, address(usdc), BOB);
        vm.prank(AGENT);
        shares.recover(ALICE, carol);
        assertEq(distributor.claimableOf(ASSET, address(usdc), ALICE), 0, "lost wallet has nothing");
        assertEq(distributor.claimableOf(ASSET, address(usdc), carol), a, "replacement has it all");
        assertEq(distributor.claimableOf(ASSET, address(usdc), BOB), b, "others untouched");
    }
}

/// @notice Parallel execution: work on different assets never writes the same storage slot of the
///         distributor.
contract IncomeDistributorStorageTest is PlinthTest {
    address internal constant AGENT = address(0xA6E);
    address internal constant ALICE = address(0xA11CE);
    address internal constant SPENDER = address(0x5BE);
    IncomeDistributor internal distributor;
    MockAssetRegistry internal registry;
    MockPayoutToken internal usdc;
    MockAssetShares[3] internal shares;

    function setUp() public {
        registry = new MockAssetRegistry(address(this));
        distributor = new IncomeDistributor(registry, address(this), address(0xFEE), 100, 2_000);
        distributor.setCustodians(address(0), address(0));
        registry.grantRole(registry.BUYOUT_ROLE(), address(distributor));
        distributor.grantRole(distributor.RESERVE_SPENDER_ROLE(), SPENDER);
        usdc = new MockPayoutToken("USD Coin", "USDC", 6);
        distributor.setPayoutToken(address(usdc), true);
        usdc.mint(address(this), 1e18);
        usdc.approve(address(distributor), type(uint256).max);
        for (uint256 id = 1; id <= 2; ++id) {
            shares[id] = new MockAssetShares(registry, distributor, id);
            registry.setAsset(id, AGENT, IAssetRegistry.AssetStatus.Active, address(shares[id]));
            vm.startPrank(AGENT);
            distributor.setReserveRate(id, 1_000);
            distributor.registerPayoutToken(id, address(usdc));
            distributor.registerPayoutToken(id, address(0));
            shares[id].mint(ALICE, 1e18);
            shares[id].mint(address(0xB0B), 3e18);
            vm.stopPrank();
        }
    }

    /// Runs deposit, transfer, claim, reserve withdrawal, recovery and buyout/redeem on `id` and
    /// returns the distributor slots written and the payout token's slots written.
    function _writes(uint256 id) internal returns (bytes32[] memory written, bytes32[] memory tokenWritten) {
        vm.record();
        distributor.deposit(id, address(usdc), 1_000e6);
        vm.prank(ALICE);
        shares[id].transfer(address(0xCA401), 1e17);
        vm.prank(ALICE);
        distributor.claim(id, address(usdc), ALICE);
        vm.prank(SPENDER);
        distributor.withdrawReserve(id, address(usdc), 1e6, SPENDER);
        vm.prank(AGENT);
        shares[id].recover(address(0xB0B), address(0xD00D));
        usdc.mint(AGENT, 1e12);
        vm.startPrank(AGENT);
        usdc.approve(address(distributor), type(uint256).max);
        distributor.depositBuyout(id, address(usdc), 1e12);
        vm.stopPrank();
        vm.prank(ALICE);
        distributor.redeem(id, ALICE);
        (, written) = vm.accesses(address(distributor));
        (, tokenWritten) = vm.accesses(address(usdc));
    }

    /// The payout token's balance slot of `account` (OpenZeppelin ERC20: `_balances` at slot 0).
    function _balanceSlot(address account) internal pure returns (bytes32) {
        return keccak256(abi.encode(account, uint256(0)));
    }

    function _contains(bytes32[] memory list, bytes32 x) internal pure returns (bool) {
        for (uint256 i = 0; i < list.length; ++i) if (list[i] == x) return true;
        return false;
    }

    /// Deposits, transfers, claims, reserve withdrawals, recoveries, buyouts and redemptions of
    /// asset 1 and of asset 2 write disjoint sets of distributor slots.
    function test_OperationsOnDifferentAssetsNeverWriteTheSameSlot() public {
        (bytes32[] memory one, ) = _writes(1);
        (bytes32[] memory two, ) = _writes(2);
        assertTrue(one.length > 10 && two.length > 10, "operations recorded");
        for (uint256 i = 0; i < one.length; ++i) {
            for (uint256 j = 0; j < two.length; ++j) {
                assertTrue(one[i] != two[j], "shared slot written");
            }
        }
    }

    /// The same operations move each asset's funds in that asset's vault only: the token balance
    /// slot of asset 1's vault is written by asset 1's operations and never by asset 2's (and the
    /// reverse); the distributor's own balance slot is never written.
    function test_EachAssetsFundsMoveInItsOwnVaultOnly() public {
        (, bytes32[] memory one) = _writes(1);
        (, bytes32[] memory two) = _writes(2);
        bytes32 vault1 = _balanceSlot(distributor.vaultOf(1));
        bytes32 vault2 = _balanceSlot(distributor.vaultOf(2));
        bytes32 own = _balanceSlot(address(distributor));
        assertTrue(_contains(one, vault1), "asset 1 moves its vault's balance");
        assertTrue(_contains(two, vault2), "asset 2 moves its vault's balance");
        assertTrue(!_contains(one, vault2), "asset 1 never touches asset 2's vault");
        assertTrue(!_contains(two, vault1), "asset 2 never touches asset 1's vault");
        assertTrue(!_contains(one, own) && !_contains(two, own), "the distributor's own balance is never written");
        assertEq(usdc.balanceOf(address(distributor)), 0, "the distributor holds nothing");
    }
}
