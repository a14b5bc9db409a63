import { Rng } from './prng.js';
import { aagSeasons, realCustomers, syntheticFirstWords, syntheticSecondWords } from './vocabulary.js';

export interface Season {
  aag: string;
  /** Null for a customer whose file leaves CUSTOMER SEASON empty (groups fall back to AAG SEASON). */
  customer: string | null;
  shipMonth: number;
  year: number;
}

export interface Customer {
  index: number;
  name: string;
  sourceName: string;
  prefix: string;
  weight: number;
  seasons: Season[];
  styleShape: number;
  codedColours: boolean;
  /** Sparse columns this customer's file fills: real files differ in which optional columns they have. */
  optionalColumns: ReadonlySet<string>;
}

const seasonWords: Record<string, [string, string]> = {
  SPRING: ['SP', 'SPRING'],
  SUMMER: ['SU', 'SUMMER'],
  FALL: ['FA', 'FALL'],
  HOLIDAY: ['HO', 'HOLIDAY'],
};

/** The customer's own season label, in one of the spellings real files use (SP26, SPRING 26 REBUY …). */
function customerSeasonLabel(rng: Rng, aag: string, shape: number): string {
  const [year = '2026', word = 'SPRING'] = aag.split(' ');
  const [short, long] = seasonWords[word] ?? ['SP', word];
  const yy = year.slice(2);
  switch (shape) {
    case 0:
      return `${short}${yy}`;
    case 1:
      return rng.chance(0.3) ? `${long} ${yy} REBUY` : `${long} ${yy}-${rng.int(1, 2)}`;
    case 2:
      return `${long} ${year}`;
    default:
      return rng.chance(0.5) ? long : `${long.charAt(0)}${long.slice(1).toLowerCase()} ${year} Re-buy`;
  }
}

function syntheticName(i: number): string {
  const first = syntheticFirstWords[i % syntheticFirstWords.length] ?? 'NORTH';
  const second = syntheticSecondWords[Math.floor(i / syntheticFirstWords.length) % syntheticSecondWords.length];
  const round = Math.floor(i / (syntheticFirstWords.length * syntheticSecondWords.length));
  return round === 0 ? `${first} ${second}` : `${first} ${second} ${round + 1}`;
}

/** X + letters: real prefixes never start with X, so synthetic ones cannot collide with them. */
function syntheticPrefix(i: number): string {
  let code = '';
  let n = i;
  do {
    code = String.fromCharCode(65 + (n % 26)) + code;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `X${code.padStart(2, 'A')}`;
}

export function buildCustomers(
  seed: number,
  count: number,
  optionalColumnNames: readonly string[],
  emptySeasonCustomer: number | undefined,
): Customer[] {
  const customers: Customer[] = [];
  for (let index = 0; index < count; index++) {
    const rng = new Rng(seed, 'customer', index);
    const real = realCustomers[index];
    const name = real?.name ?? syntheticName(index - realCustomers.length);
    const seasonShape = rng.int(0, 3);
    const first = rng.int(0, aagSeasons.length - 1);
    const seasonCount = Math.min(rng.int(1, 7), aagSeasons.length);
    const seasons: Season[] = [];
    for (let s = 0; s < seasonCount; s++) {
      const [aag, shipMonth] = aagSeasons[(first + s) % aagSeasons.length] ?? ['2026 SPRING', 2];
      // Drawn even when blanked, so blanking one customer's seasons changes nothing else.
      const label = customerSeasonLabel(rng, aag, seasonShape);
      seasons.push({ aag, shipMonth, year: Number(aag.slice(0, 4)), customer: index === emptySeasonCustomer ? null : label });
    }
    customers.push({
      index,
      name,
      sourceName: real?.source ?? `${name} ${rng.pick(['LTD', 'INC', 'PTY LTD', 'GMBH'])}`,
      prefix: real ? real.name.replace(/[^A-Z]/g, '').slice(0, 3) : syntheticPrefix(index - realCustomers.length),
      weight: real?.weight ?? rng.int(10, 600),
      seasons,
      styleShape: rng.int(0, 3),
      codedColours: rng.chance(0.6),
      optionalColumns: new Set(optionalColumnNames.filter(() => rng.chance(0.3))),
    });
  }
  return customers;
}
