// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {AssetRegistry} from "../../contracts/assets/AssetRegistry.sol";
import {IdentityRegistry} from "../../contracts/assets/IdentityRegistry.sol";
import {AssetShares} from "../../contracts/assets/AssetShares.sol";
import {ShareFactory} from "../../contracts/assets/ShareFactory.sol";
import {SharesBlueprint} from "../../contracts/assets/SharesBlueprint.sol";
import {IncomeDistributor} from "../../contracts/income/IncomeDistributor.sol";
import {MockPayoutToken} from "../../contracts/test/doubles/Tokens.sol";
import {IAssetRecords} from "../../contracts/interfaces/IAssetRecords.sol";
import {IIncomeLedger} from "../../contracts/interfaces/IIncomeLedger.sol";

interface IIntegrationVm {
    function prank(address msgSender) external;
}

/// @title IntegrationIncomeHandler
/// @notice Invariant handler over the REAL AssetShares (compliance, recovery) and the REAL
///         IncomeDistributor (its income hook): compliant transfers among four KYC'd holders, refused
///         transfers to a wallet without identity, mints, burns, forced transfers, recoveries, deposits in
///         two tokens, claims, reserve withdrawals, then a buyout and redemptions. It is the asset's agent
///         and keeps a shadow ledger of each holder's exact entitlement (scaled by PRECISION), computed
///         from the share balances at each deposit, independently of the distributor's arithmetic.
contract IntegrationIncomeHandler {
    IIntegrationVm private constant vm = IIntegrationVm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 public constant HOLDERS = 4;
    uint256 public constant PRECISION = 1e30;
    address public constant SINK = address(0xC0FFEE);
    /// @notice A wallet without identity: shares must never reach it.
    address public constant STRANGER = address(0xBAD);

    IncomeDistributor public immutable distributor;
    AssetShares public immutable shares;
    uint256 public immutable assetId;
    address[2] public tokens;
    address[HOLDERS] public holders;

    mapping(address => uint256) public netDeposited;
    mapping(address => uint256) public totalClaimed;
    mapping(address => uint256) public reserveWithdrawn;
    mapping(address => mapping(address => uint256)) public exactScaled;
    mapping(address => mapping(address => uint256)) public shadowWithdrawn;
    mapping(address => uint256) public deposits;
    uint256 public calls;
    bool public retired;
    uint256 public proceedsPaid;
    /// @notice Set if anything broke a rule the handler checks inline.
    bool public strangerGotShares;
    bool public redemptionMismatch;
    bool public refusedMoveChangedBalances;

    /// @dev `shares_` is the predicted address of the asset's shares, created after this handler.
    constructor(IncomeDistributor distributor_, AssetShares shares_, uint256 assetId_, address usdc, address dai) {
        distributor = distributor_;
        shares = shares_;
        assetId = assetId_;
        tokens = [usdc, dai];
        for (uint256 i = 0; i < HOLDERS; ++i) holders[i] = address(uint160(0x2001 + i));
        MockPayoutToken(usdc).approve(address(distributor_), type(uint256).max);
        MockPayoutToken(dai).approve(address(distributor_), type(uint256).max);
    }

    /// @notice Initial supply: 1, 2, 3 and 4 shares (18 decimals).
    function seed() external {
        for (uint256 i = 0; i < HOLDERS; ++i) shares.mint(holders[i], (i + 1) * 1e18);
    }

    function deposit(uint256 tokenSeed, uint256 amount) external {
        uint256 supply = shares.totalSupply();
        if (retired || supply == 0) return;
        address token = tokens[tokenSeed % 2];
        amount = _bound(amount, 1, token == tokens[0] ? 1e13 : 1e24);
        MockPayoutToken(token).mint(address(this), amount);
        uint256 toHolders = distributor.deposit(assetId, token, amount);
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
        address token = tokens[tokenSeed % 2];
        if (distributor.claimableOf(assetId, token, h) == 0) return;
        vm.prank(h);
        uint256 paid = distributor.claim(assetId, token, SINK);
        totalClaimed[token] += paid;
        shadowWithdrawn[token][h] += paid;
        calls++;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        if (retired) return;
        address from = holders[fromSeed % HOLDERS];
        amount = _bound(amount, 0, shares.balanceOf(from));
        vm.prank(from);
        shares.transfer(holders[toSeed % HOLDERS], amount);
        calls++;
    }

    /// A holder tries to send shares to a wallet without identity: refused, nothing moves.
    function transferToStranger(uint256 fromSeed, uint256 amount) external {
        address from = holders[fromSeed % HOLDERS];
        uint256 before = shares.balanceOf(from);
        amount = _bound(amount, 1, before + 1);
        vm.prank(from);
        try shares.transfer(STRANGER, amount) {
            strangerGotShares = true;
        } catch {
            if (shares.balanceOf(from) != before) refusedMoveChangedBalances = true;
        }
        if (shares.balanceOf(STRANGER) != 0) strangerGotShares = true;
    }

    function mint(uint256 toSeed, uint256 amount) external {
        if (retired) return;
        shares.mint(holders[toSeed % HOLDERS], _bound(amount, 1, 1e22));
        calls++;
    }

    function burn(uint256 fromSeed, uint256 amount) external {
        if (retired) return;
        address from = holders[fromSeed % HOLDERS];
        shares.burn(from, _bound(amount, 0, shares.balanceOf(from)));
        calls++;
    }

    function forcedTransfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        if (retired) return;
        address from = holders[fromSeed % HOLDERS];
        shares.forcedTransfer(from, holders[toSeed % HOLDERS], _bound(amount, 0, shares.balanceOf(from)));
        calls++;
    }

    function recover(uint256 lostSeed, uint256 replacementSeed) external {
        if (retired) return;
        address lost = holders[lostSeed % HOLDERS];
        address replacement = holders[replacementSeed % HOLDERS];
        if (lost == replacement || shares.balanceOf(lost) == 0) return;
        // The distributor moves the whole-wei unclaimed entitlement; mirror exactly that.
        uint256[2] memory owed;
        for (uint256 t = 0; t < 2; ++t) owed[t] = distributor.claimableOf(assetId, tokens[t], lost);
        shares.recover(lost, replacement);
        for (uint256 t = 0; t < 2; ++t) {
            exactScaled[tokens[t]][lost] -= owed[t] * PRECISION;
            exactScaled[tokens[t]][replacement] += owed[t] * PRECISION;
        }
        calls++;
    }

    function withdrawReserve(uint256 tokenSeed, uint256 amount) external {
        address token = tokens[tokenSeed % 2];
        uint256 available = distributor.reserveOf(assetId, token);
        if (available == 0) return;
        amount = _bound(amount, 1, available);
        distributor.withdrawReserve(assetId, token, amount, SINK);
        reserveWithdrawn[token] += amount;
        calls++;
    }

    /// The agent sells the asset (usdc proceeds) once enough happened; the real registry retires it.
    function retire(uint256 proceeds) external {
        if (retired || calls < 16 || shares.totalSupply() == 0) return;
        proceeds = _bound(proceeds, 1, 1e13);
        MockPayoutToken(tokens[0]).mint(address(this), proceeds);
        distributor.depositBuyout(assetId, tokens[0], proceeds);
        retired = true;
        calls++;
    }

    function redeem(uint256 holderSeed) external {
        address h = holders[holderSeed % HOLDERS];
        uint256 balance = shares.balanceOf(h);
        if (!retired || balance == 0) return;
        uint256[2] memory owed;
        for (uint256 t = 0; t < 2; ++t) owed[t] = distributor.claimableOf(assetId, tokens[t], h);
        IIncomeLedger.Buyout memory b = distributor.buyoutOf(assetId);
        vm.prank(h);
        uint256 paid = distributor.redeem(assetId, SINK);
        if (paid != (b.proceeds * balance) / b.supplyAtRetire || shares.balanceOf(h) != 0) redemptionMismatch = true;
        proceedsPaid += paid;
        for (uint256 t = 0; t < 2; ++t) {
            totalClaimed[tokens[t]] += owed[t];
            shadowWithdrawn[tokens[t]][h] += owed[t];
        }
        calls++;
    }

    /// @notice Test helper: the tokens.
    function allTokens() external view returns (address[2] memory) {
        return tokens;
    }

    /// @notice Test helper: the holders.
    function allHolders() external view returns (address[HOLDERS] memory) {
        return holders;
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) private pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + (x % (hi - lo + 1));
    }
}

/// @notice Invariants of the real share token and the real income distributor together.
contract SharesIncomeInvariantTest is PlinthTest {
    AssetRegistry internal registry;
    IdentityRegistry internal identity;
    IncomeDistributor internal distributor;
    AssetShares internal shares;
    IntegrationIncomeHandler internal handler;
    uint256 internal assetId;

    function setUp() public {
        registry = new AssetRegistry(address(this));
        identity = new IdentityRegistry(address(this));
        distributor = new IncomeDistributor(registry, address(this), address(0xFEE), 100, 2_000);
        distributor.setCustodians(address(0), address(0));
        ShareFactory factory = new ShareFactory(
            address(this),
            registry,
            address(identity),
            address(distributor),
            address(new SharesBlueprint())
        );
        registry.grantRole(registry.ISSUER_ROLE(), address(this));
        registry.grantRole(registry.SHARE_FACTORY_ROLE(), address(factory));
        registry.grantRole(registry.BUYOUT_ROLE(), address(distributor));
        identity.grantRole(identity.KYC_AGENT_ROLE(), address(this));
        MockPayoutToken usdc = new MockPayoutToken("USD Coin", "USDC", 6);
        MockPayoutToken dai = new MockPayoutToken("Dai", "DAI", 18);
        distributor.setPayoutToken(address(usdc), true);
        distributor.setPayoutToken(address(dai), true);

        // The handler is the asset's agent from registration on (it deploys nothing itself).
        uint256 predictedId = registry.computeAssetId(address(this), bytes32("integration-1"));
        handler = new IntegrationIncomeHandler(
            distributor,
            _sharesAt(factory, predictedId),
            predictedId,
            address(usdc),
            address(dai)
        );
        assetId = registry.registerAsset(
            bytes32("integration-1"),
            IAssetRecords.AssetClass.Solar,
            "DE",
            address(handler),
            "ipfs://integration-1"
        );
        assertEq(assetId, predictedId, "asset id");
        vm.prank(address(handler));
        shares = AssetShares(factory.createShares(assetId, "Integration One", "INT1", 18));
        assertTrue(address(shares) == address(handler.shares()), "shares at the predicted address");
        for (uint256 i = 0; i < handler.HOLDERS(); ++i) {
            identity.setIdentity(handler.holders(i), 276, uint64(block.timestamp + 3650 days));
        }
        distributor.grantRole(distributor.RESERVE_SPENDER_ROLE(), address(handler));
        vm.prank(address(handler));
        distributor.setReserveRate(assetId, 1_000);
        handler.seed();
    }

    function _sharesAt(ShareFactory factory, uint256 id) private view returns (AssetShares) {
        return AssetShares(factory.predictShares(id));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// Value is conserved: the asset's income vault holds exactly the holders' claimable income, the reserve,
    /// the fees, the unpaid proceeds and a rounding dust below one wei per holder.
    function invariant_distributorHoldsExactlyWhatItOwes() public view {
        address[2] memory tokens = handler.allTokens();
        address[4] memory holders = handler.allHolders();
        for (uint256 t = 0; t < 2; ++t) {
            address token = tokens[t];
            (, uint256 distributed, uint256 claimed, ) = distributor.incomeAccountingOf(assetId, token);
            assertEq(distributed, handler.netDeposited(token), "distributed == net deposits");
            assertEq(claimed, handler.totalClaimed(token), "claimed == paid to holders");
            uint256 claimable;
            for (uint256 i = 0; i < holders.length; ++i) {
                claimable += distributor.claimableOf(assetId, token, holders[i]);
            }
            assertLe(claimed + claimable, distributed, "never more than deposited");
            uint256 dust = distributed - claimed - claimable;
            assertLe(dust, holders.length + 1, "dust below a wei per holder");
            uint256 owed =
                claimable + distributor.reserveOf(assetId, token) + distributor.feesOf(assetId, token) + dust;
            IIncomeLedger.Buyout memory b = distributor.buyoutOf(assetId);
            if (b.supplyAtRetire != 0 && b.token == token) owed += b.proceeds - b.paid;
            assertEq(MockPayoutToken(token).balanceOf(distributor.vaultOf(assetId)), owed, "vault balance == owed");
            assertEq(MockPayoutToken(token).balanceOf(address(distributor)), 0, "the distributor itself holds nothing");
        }
    }

    /// No holder ever accrued (claimable + withdrawn) more than its exact pro-rata entitlement, nor
    /// more than one wei less.
    function invariant_claimableNeverExceedsTheExactEntitlement() public view {
        address[2] memory tokens = handler.allTokens();
        address[4] memory holders = handler.allHolders();
        uint256 p = handler.PRECISION();
        for (uint256 t = 0; t < 2; ++t) {
            address token = tokens[t];
            uint256 shadowRounding = handler.deposits(token); // the shadow floors once per deposit
            for (uint256 i = 0; i < holders.length; ++i) {
                address h = holders[i];
                uint256 withdrawn = distributor.withdrawnOf(assetId, token, h);
                assertEq(withdrawn, handler.shadowWithdrawn(token, h), "withdrawn == shadow");
                uint256 accrued = distributor.claimableOf(assetId, token, h) + withdrawn;
                uint256 exact = handler.exactScaled(token, h);
                assertLe(accrued * p, exact + shadowRounding, "accrued <= exact entitlement");
                assertLe(exact, accrued * p + p + shadowRounding, "exact - accrued <= 1 wei");
            }
        }
    }

    /// The share token stays consistent and compliant: balances sum to the supply, the holder count
    /// is exact, nothing ever reached the wallet without identity, refused moves changed nothing,
    /// and redemptions paid their floor share of the proceeds.
    function invariant_sharesStayConsistentAndCompliant() public view {
        address[4] memory holders = handler.allHolders();
        uint256 sum;
        uint256 count;
        for (uint256 i = 0; i < holders.length; ++i) {
            uint256 bal = shares.balanceOf(holders[i]);
            sum += bal;
            if (bal != 0) ++count;
        }
        assertEq(sum, shares.totalSupply(), "sum of balances == supply");
        assertEq(count, shares.holderCount(), "holder count");
        assertEq(shares.balanceOf(handler.STRANGER()), 0, "no shares without identity");
        assertTrue(!handler.strangerGotShares(), "stranger refused");
        assertTrue(!handler.refusedMoveChangedBalances(), "a refused move changes nothing");
        assertTrue(!handler.redemptionMismatch(), "each redemption pays its floor");
        IIncomeLedger.Buyout memory b = distributor.buyoutOf(assetId);
        assertEq(b.paid, handler.proceedsPaid(), "paid == sum of redemptions");
        assertLe(b.paid, b.proceeds, "never more than the proceeds");
        if (handler.retired()) {
            assertEq(uint256(registry.statusOf(assetId)), 3, "retired in the registry");
            assertEq(b.supplyAtRetire - b.redeemedShares, shares.totalSupply(), "unredeemed == supply");
        }
    }
}
