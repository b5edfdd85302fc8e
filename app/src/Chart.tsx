/** A tiny SVG line chart (x: time, y: value): no chart library. */
export interface Point {
  x: number;
  y: number;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });

export function Chart({ points, label, id, unit }: { points: Point[]; label: string; id: string; unit: string }) {
  const w = 560;
  const h = 180;
  const pad = 36;
  const left = 64;
  if (points.length === 0) {
    return (
      <p className="muted" data-testid={id} data-points="0">
        no {label} yet
      </p>
    );
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  const sx = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (w - left - pad);
  const sy = (y: number) => h - pad + 10 - ((y - y0) / (y1 - y0 || 1)) * (h - 2 * pad);
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
  const last = points[points.length - 1]!;
  return (
    <figure className="chart" data-testid={id} data-points={points.length} data-last={last.y}>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
        <line x1={left} y1={h - pad + 10} x2={w - pad} y2={h - pad + 10} className="axis" />
        <line x1={left} y1={10} x2={left} y2={h - pad + 10} className="axis" />
        <text x={left - 4} y={sy(y1) + 4} textAnchor="end" className="tick">
          {compact.format(y1)}
        </text>
        <text x={left - 4} y={sy(y0) + 4} textAnchor="end" className="tick">
          {compact.format(y0)}
        </text>
        <text x={left} y={h - 4} className="tick">
          {new Date(x0 * 1000).toISOString().slice(11, 19)}
        </text>
        <text x={w - pad} y={h - 4} textAnchor="end" className="tick">
          {new Date(x1 * 1000).toISOString().slice(11, 19)}
        </text>
        <path d={path} className="line" />
        {points.map((p, i) => (
          <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r={3} className="dot" />
        ))}
      </svg>
      <figcaption>
        {label}: {points.length} point(s), last {last.y.toLocaleString("en-US")} {unit}
      </figcaption>
    </figure>
  );
}
