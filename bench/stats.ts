/** A figure measured `repeats` times: its median, and the spread of the repeats around it. */
export interface Figure {
  readonly values: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function figureOf(values: readonly number[]): Figure {
  if (values.length === 0) throw new Error('a figure needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  return { values, median: quantile(sorted, 0.5), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** (max − min) / median, in percent: how far the repeats of one figure were apart. */
export function spreadPercent(figure: Figure): number {
  return figure.median === 0 ? 0 : ((figure.max - figure.min) / figure.median) * 100;
}

/** The q-quantile (0..1) of ascending `sorted` values, interpolated linearly. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function ratioOf(numerator: Figure, denominator: Figure): number {
  return numerator.median / denominator.median;
}
