import type { Rng } from './prng.js';

/** Epoch day → `YYYY-MM-DD`, in UTC so the output does not depend on the machine's zone. */
export function isoDay(epochDay: number): string {
  return new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
}

export function epochDay(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** `YYYY-MM-DD` → epoch day. */
export function dayOf(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

/** Ten-thousandths → fixed four places, by integer arithmetic so no float noise reaches the text. */
export function decimal4(tenThousandths: number): string {
  const sign = tenThousandths < 0 ? '-' : '';
  const abs = Math.abs(tenThousandths);
  return `${sign}${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, '0')}`;
}

export function price(rng: Rng, min: number, max: number): string {
  return decimal4(rng.int(min * 100, max * 100) * 100);
}

export function uuid(rng: Rng): string {
  const hex = Array.from({ length: 4 }, () => rng.uint32().toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function code(rng: Rng, letters: string, digits: number): string {
  return `${letters}${String(rng.int(0, 10 ** digits - 1)).padStart(digits, '0')}`;
}
