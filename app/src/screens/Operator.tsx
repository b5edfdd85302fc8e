/**
 * Operator: my devices (key kind, status, bound asset, latest energy reading), a chart of a device's
 * readings over time; register and claim a new device; bind a device to an asset.
 */
import { useState } from "react";
import { deviceRegistryAbi, eip712, enums, signers } from "@plinth/client";
import { keccak256, stringToHex, type Address } from "viem";
import { ActionStatus, useAction } from "../action.tsx";
import { Chart } from "../Chart.tsx";
import { KIND_ENERGY, lists } from "../data.ts";
import { short } from "../format.ts";
import { usePoll } from "../poll.ts";
import { isLocal, localAccount, useSession, type Session } from "../session.tsx";
import { config } from "../config.ts";

interface DeviceRow {
  deviceId: bigint;
  keyType: number;
  status: number;
  assetId: bigint;
  odometer: bigint;
  readingTime: bigint;
}

async function readDevices(session: Session, owner: Address): Promise<DeviceRow[]> {
  const c = session.publicClient;
  const registry = session.deployment.addresses.DeviceRegistry;
  const ids = await (await lists(session, config.source === "indexer")).devicesOf(owner);
  const rows = await Promise.all(
    ids.map(async (deviceId) => {
      const [info, status, assetId, owned, latest] = await Promise.all([
        c.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "deviceInfo", args: [deviceId] }),
        c.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "statusOf", args: [deviceId] }),
        c.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "assetOf", args: [deviceId] }),
        c.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "ownerOf", args: [deviceId] }),
        c.readContract({
          address: registry,
          abi: deviceRegistryAbi,
          functionName: "latestReading",
          args: [deviceId, KIND_ENERGY],
        }),
      ]);
      if (owned.toLowerCase() !== owner.toLowerCase()) return undefined; // since transferred
      return {
        deviceId,
        keyType: info[0],
        status,
        assetId,
        odometer: latest.odometer,
        readingTime: BigInt(latest.timestamp),
      };
    }),
  );
  return rows.filter((r): r is DeviceRow => r !== undefined);
}

export function Operator() {
  const session = useSession();
  const owner = session.account;
  const devices = usePoll(
    () => (owner === undefined ? Promise.resolve([]) : readDevices(session, owner)),
    [owner, session],
  );
  const [selected, setSelected] = useState<bigint>();
  const current = selected ?? devices.data?.[0]?.deviceId;
  const readings = usePoll(
    async () =>
      current === undefined ? [] : (await lists(session, config.source === "indexer")).readings(current, KIND_ENERGY),
    [current, session],
  );
  const [assetInput, setAssetInput] = useState("");
  const register = useAction(session);
  const bind = useAction(session);

  const registerAndClaim = () =>
    register.run("register and claim a new device", async ({ write, say }) => {
      if (!isLocal(session.chain.id)) {
        throw new Error("on a public chain the manufacturer's registration comes with the device");
      }
      const registry = session.deployment.addresses.DeviceRegistry;
      const domain = eip712.devices.deviceDomain(session.chain.id, registry);
      say("generating the device's P-256 key in this browser (WebCrypto, not extractable)");
      const device = await signers.devices.WebCryptoP256Signer.generate();
      // The manufacturer's signing authority (local chain: default account #5 for manufacturer #4).
      const reg = eip712.devices.registerDeviceMessage({
        manufacturer: localAccount(4).address,
        keyType: device.keyType,
        keyA: device.keyA,
        keyB: device.keyB,
        model: keccak256(stringToHex("plinth-app-meter")),
        firmwareHash: keccak256(stringToHex("plinth-app-fw-1")),
        serialHash: keccak256(device.keyA),
      });
      say("the manufacturer signs the registration (EIP-712 RegisterDevice)");
      const regSig = await eip712.devices.signDeviceMessage(localAccount(5), domain, "RegisterDevice", reg);
      await write("registerDevice", {
        address: registry,
        abi: deviceRegistryAbi,
        functionName: "registerDevice",
        args: [reg, regSig],
      });
      const block = await session.publicClient.getBlock();
      const claim = eip712.devices.claimMessage({
        deviceId: device.deviceId,
        owner: owner!,
        nonce: 0n,
        deadline: block.timestamp + 3600n,
      });
      say("the device signs the claim (EIP-712 Claim, P-256)");
      const claimSig = await device.signDigest(eip712.devices.deviceDigest(domain, "Claim", claim));
      await write("claim", {
        address: registry,
        abi: deviceRegistryAbi,
        functionName: "claim",
        args: [claim.deviceId, claim.owner, claim.deadline, claimSig],
      });
      setSelected(device.deviceId);
      return `device ${short(device.deviceId)} registered and claimed`;
    });

  const bindToAsset = () =>
    bind.run("bind the device to an asset", async ({ write }) => {
      if (current === undefined) throw new Error("select a device");
      const assetId = BigInt(assetInput.trim());
      await write("bindToAsset", {
        address: session.deployment.addresses.DeviceRegistry,
        abi: deviceRegistryAbi,
        functionName: "bindToAsset",
        args: [current, assetId],
      });
      return `device ${short(current)} bound to asset ${short(assetId)}`;
    });

  return (
    <section>
      <h2>Devices</h2>
      {devices.error !== undefined && <p className="error">{devices.error}</p>}
      <table data-testid="devices">
        <thead>
          <tr>
            <th>device</th>
            <th>key</th>
            <th>status</th>
            <th>bound asset</th>
            <th>energy odometer (Wh)</th>
          </tr>
        </thead>
        <tbody>
          {(devices.data ?? []).map((d) => (
            <tr
              key={d.deviceId.toString()}
              data-testid="device-row"
              data-device-id={d.deviceId.toString()}
              className={d.deviceId === current ? "selected" : ""}
              onClick={() => setSelected(d.deviceId)}
            >
              <td className="mono">{short(d.deviceId)}</td>
              <td data-field="key">{enums.KeyTypeNames[d.keyType] ?? d.keyType}</td>
              <td data-field="status">{enums.DeviceStatusNames[d.status] ?? d.status}</td>
              <td className="mono" data-field="asset" data-value={d.assetId.toString()}>
                {d.assetId === 0n ? "—" : short(d.assetId)}
              </td>
              <td data-field="odometer">{d.odometer.toString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {devices.loading && devices.data === undefined && <p className="progress">reading devices…</p>}

      <h3>Readings of {current === undefined ? "—" : short(current)}</h3>
      <Chart
        id="readings-chart"
        label="energy measured since the first reading"
        unit="Wh"
        points={(readings.data ?? []).map((r, _, all) => ({
          x: Number(r.time),
          y: Number(r.odometer - all[0]!.odometer),
        }))}
      />

      <div className="forms">
        <div className="card">
          <h3>Register and claim a device</h3>
          <p className="muted">
            A new P-256 device key is made in this browser; the manufacturer signs its registration and the device signs
            the claim to you.
          </p>
          <button data-testid="register-device" onClick={registerAndClaim} disabled={register.state.busy}>
            register and claim
          </button>
          <ActionStatus state={register.state} id="register" />
        </div>
        <div className="card">
          <h3>Bind the selected device to an asset</h3>
          <input
            data-testid="bind-asset"
            placeholder="asset id (decimal or 0x…)"
            value={assetInput}
            onChange={(e) => setAssetInput(e.target.value)}
          />
          <button data-testid="bind-device" onClick={bindToAsset} disabled={bind.state.busy}>
            bind
          </button>
          <ActionStatus state={bind.state} id="bind" />
        </div>
      </div>
    </section>
  );
}
