/** Number formatting shared by the text and HTML reports. */

export function ms(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${Math.round(value)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function ratio(value: number | null): string {
  return value === null ? '' : `${value.toFixed(1)}x`;
}
