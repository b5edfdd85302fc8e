/**
 * Renter: open offers (rent one), my agreements (pay, settle the meter) and the metered bill, which grows
 * as the meter device's signed readings arrive: units billed so far plus units read and not yet settled.
 */
import { useState } from "react";
import { deviceRegistryAbi, enums, rentalEscrowAbi, rentalMarketAbi, rentalMeterAbi } from "@plinth/client";
import { erc20Abi, parseUnits, type Address, type Hex } from "viem";
import { ActionStatus, useAction } from "../action.tsx";
import { Chart } from "../Chart.tsx";
import { lists, tokenInfo, type MeterSettlement } from "../data.ts";
import { amount, short, time } from "../format.ts";
import { usePoll } from "../poll.ts";
import { useSession, type Session } from "../session.tsx";
import { config } from "../config.ts";

type Terms = Awaited<ReturnType<typeof readTerms>>;

function readTerms(session: Session, termsHash: Hex) {
  return session.publicClient.readContract({
    address: session.deployment.addresses.RentalEscrow,
    abi: rentalEscrowAbi,
    functionName: "termsOf",
    args: [termsHash],
  });
}

async function readOffers(session: Session) {
  const c = session.publicClient;
  const ids = await (await lists(session, config.source === "indexer")).offers();
  const offers = await Promise.all(
    ids.map(async (offerId) => {
      const offer = await c.readContract({
        address: session.deployment.addresses.RentalMarket,
        abi: rentalMarketAbi,
        functionName: "offerOf",
        args: [offerId],
      });
      const terms = await readTerms(session, offer.termsHash);
      return { offerId, ...offer, terms, token: await tokenInfo(session, terms.token) };
    }),
  );
  return offers.filter((o) => o.active);
}

async function readAgreements(session: Session, renter: Address) {
  const c = session.publicClient;
  const escrow = session.deployment.addresses.RentalEscrow;
  const source = await lists(session, config.source === "indexer");
  const ids = await source.agreementsOf(renter);
  return Promise.all(
    ids.map(async (id) => {
      const a = await c.readContract({
        address: escrow,
        abi: rentalEscrowAbi,
        functionName: "agreementOf",
        args: [id],
      });
      const terms = await readTerms(session, a.termsHash);
      // The agreement's meter (its mark, the last reading settled, and the units billed) is kept by the escrow's
      // RentalMeter.
      const meter = await c.readContract({
        address: session.deployment.addresses.RentalMeter,
        abi: rentalMeterAbi,
        functionName: "meterOf",
        args: [id],
      });
      const latest =
        terms.meterDeviceId === 0n
          ? undefined
          : await c.readContract({
              address: session.deployment.addresses.DeviceRegistry,
              abi: deviceRegistryAbi,
              functionName: "latestReading",
              args: [terms.meterDeviceId, terms.meterKind],
            });
      const unsettled =
        latest === undefined || latest.odometer < meter.odometer ? 0n : latest.odometer - meter.odometer;
      const settlements = await source.meterSettlements(id);
      return { id, a, meter, terms, token: await tokenInfo(session, terms.token), latest, unsettled, settlements };
    }),
  );
}

export function Renter() {
  const session = useSession();
  const me = session.account;
  const offers = usePoll(() => readOffers(session), [session]);
  const agreements = usePoll(() => (me === undefined ? Promise.resolve([]) : readAgreements(session, me)), [me]);
  const rent = useAction(session);
  const pay = useAction(session);
  const settle = useAction(session);
  const [duration, setDuration] = useState("86400");
  const [prepay, setPrepay] = useState("500");
  const [payAmount, setPayAmount] = useState("25");
  const escrow = session.deployment.addresses.RentalEscrow;

  async function approve(
    write: Parameters<Parameters<typeof rent.run>[1]>[0]["write"],
    token: Address,
    needed: bigint,
  ): Promise<void> {
    const allowance = await session.publicClient.readContract({
      address: token,
      abi: erc20Abi,
      functionName: "allowance",
      args: [me!, escrow],
    });
    if (allowance < needed) {
      await write("approve", { address: token, abi: erc20Abi, functionName: "approve", args: [escrow, needed] });
    }
  }

  const rentOffer = (o: NonNullable<typeof offers.data>[number]) =>
    rent.run(`rent offer ${short(o.offerId)}`, async ({ write }) => {
      const pre = parseUnits(prepay, o.token.decimals);
      await approve(write, o.terms.token, pre + o.terms.deposit);
      await write("rent", {
        address: session.deployment.addresses.RentalMarket,
        abi: rentalMarketAbi,
        functionName: "rent",
        args: [o.offerId, BigInt(duration), pre],
      });
    });

  const payRent = (id: Hex, token: Address, decimals: number) =>
    pay.run(`pay ${payAmount} into ${short(id)}`, async ({ write }) => {
      const value = parseUnits(payAmount, decimals);
      await approve(write, token, value);
      await write("topUp", { address: escrow, abi: rentalEscrowAbi, functionName: "topUp", args: [id, value] });
    });

  const settleMeter = (id: Hex) =>
    settle.run(`settle the meter of ${short(id)}`, async ({ write }) => {
      await write("settleMetered", {
        address: escrow,
        abi: rentalEscrowAbi,
        functionName: "settleMetered",
        args: [id],
      });
    });

  return (
    <section>
      <h2>Offers</h2>
      <table data-testid="offers">
        <thead>
          <tr>
            <th>offer</th>
            <th>subject</th>
            <th>price / s</th>
            <th>price / unit</th>
            <th>deposit</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {(offers.data ?? []).map((o) => (
            <tr key={o.offerId} data-testid="offer-row" data-offer-id={o.offerId}>
              <td className="mono">{short(o.offerId)}</td>
              <td>
                {enums.SubjectKindNames[o.terms.subjectKind]} {short(o.terms.subjectId)}
              </td>
              <td>
                {amount(o.terms.pricePerSecond, o.token.decimals)} {o.token.symbol}
              </td>
              <td data-field="price-per-unit" data-value={o.terms.pricePerUnit.toString()}>
                {amount(o.terms.pricePerUnit, o.token.decimals)} {o.token.symbol}
              </td>
              <td>
                {amount(o.terms.deposit, o.token.decimals)} {o.token.symbol}
              </td>
              <td>
                <button data-testid="rent" onClick={() => rentOffer(o)} disabled={rent.state.busy}>
                  rent
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        duration (s){" "}
        <input data-testid="rent-duration" value={duration} onChange={(e) => setDuration(e.target.value)} /> prepay{" "}
        <input data-testid="rent-prepay" value={prepay} onChange={(e) => setPrepay(e.target.value)} />
      </p>
      <ActionStatus state={rent.state} id="rent" />

      <h2>My agreements</h2>
      {agreements.error !== undefined && <p className="error">{agreements.error}</p>}
      {(agreements.data ?? []).map(({ id, a, meter, terms, token, latest, unsettled, settlements }) => (
        <div className="card" key={id} data-testid="agreement" data-id={id}>
          <h3>
            agreement <span className="mono">{short(id)}</span>{" "}
            <span data-field="state" data-value={a.state}>
              {enums.RentalStateNames[a.state]}
            </span>
          </h3>
          <p className="muted">
            {time(a.start)} → {time(a.end)}; meter device {short(terms.meterDeviceId)}
          </p>
          <dl className="bill" data-testid="bill">
            <dt>credit</dt>
            <dd data-field="credit" data-value={a.credit.toString()}>
              {amount(a.credit, token.decimals)} {token.symbol}
            </dd>
            <dt>deposit held</dt>
            <dd>
              {amount(a.depositHeld, token.decimals)} {token.symbol}
            </dd>
            <dt>rent earned by the owner</dt>
            <dd data-field="earned" data-value={a.earned.toString()}>
              {amount(a.earned, token.decimals)} {token.symbol}
            </dd>
            <dt>metered units billed</dt>
            <dd data-field="billed-units" data-value={meter.billed.toString()}>
              {meter.billed.toString()} Wh ({amount(meter.billed * terms.pricePerUnit, token.decimals)} {token.symbol})
            </dd>
            <dt>read, not yet settled</dt>
            <dd data-field="unsettled-units" data-value={unsettled.toString()}>
              {unsettled.toString()} Wh ({amount(unsettled * terms.pricePerUnit, token.decimals)} {token.symbol})
            </dd>
            <dt>meter</dt>
            <dd data-field="meter-odometer" data-value={(latest?.odometer ?? 0n).toString()}>
              odometer {(latest?.odometer ?? 0n).toString()} Wh at {latest === undefined ? "—" : time(latest.timestamp)}
            </dd>
          </dl>
          <Chart
            id="bill-chart"
            label="metered bill (settled, then read and not yet settled)"
            unit={token.symbol}
            points={billPoints(settlements, latest?.timestamp, unsettled * terms.pricePerUnit, token.decimals)}
          />
          <p>
            <input data-testid="pay-amount" value={payAmount} onChange={(e) => setPayAmount(e.target.value)} />{" "}
            <button
              data-testid="pay"
              onClick={() => payRent(id, terms.token, token.decimals)}
              disabled={pay.state.busy}
            >
              pay
            </button>{" "}
            <button data-testid="settle" onClick={() => settleMeter(id)} disabled={settle.state.busy}>
              settle meter
            </button>
          </p>
        </div>
      ))}
      {agreements.data !== undefined && agreements.data.length === 0 && <p className="muted">no agreements</p>}
      <ActionStatus state={pay.state} id="pay" />
      <ActionStatus state={settle.state} id="settle" />
    </section>
  );
}

/** The metered bill over time: each settlement's cumulative charge, then the live unsettled part. */
function billPoints(settlements: MeterSettlement[], readAt: number | undefined, pending: bigint, decimals: number) {
  let total = 0n;
  const points = settlements.map((m) => {
    total += m.charge;
    return { x: Number(m.time), y: Number(amount(total, decimals, 2).replace(/,/g, "")) };
  });
  if (readAt !== undefined && pending > 0n) {
    points.push({ x: readAt, y: Number(amount(total + pending, decimals, 2).replace(/,/g, "")) });
  }
  return points;
}
