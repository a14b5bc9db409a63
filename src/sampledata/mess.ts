/** Shares are per order (or per row for blank rows); 0 turns a kind of mess off. */
export interface MessOptions {
  /** Orders staged twice under the same key with different quantities. */
  duplicateShare: number;
  /** Orders whose AAG ORDER NUMBER is empty. */
  emptyKeyShare: number;
  /** Fully blank rows slipped between orders. */
  blankRowShare: number;
  /** Orders whose NOTES carry accents, CJK, emoji. */
  unicodeShare: number;
  /** Orders whose NOTES run past 2,000 characters. */
  longNotesShare: number;
  /** Orders staged as cancelled, spelled `CANCELLED` or `Cancelled`. */
  cancelledShare: number;
  /** One customer (the second, or the only one) leaves CUSTOMER SEASON empty. */
  emptyCustomerSeason: boolean;
}

export const defaultMess: Readonly<MessOptions> = {
  duplicateShare: 0.01,
  emptyKeyShare: 0.002,
  blankRowShare: 0.002,
  unicodeShare: 0.02,
  longNotesShare: 0.005,
  cancelledShare: 0.02,
  emptyCustomerSeason: true,
};

const noMess: Readonly<MessOptions> = {
  duplicateShare: 0,
  emptyKeyShare: 0,
  blankRowShare: 0,
  unicodeShare: 0,
  longNotesShare: 0,
  cancelledShare: 0,
  emptyCustomerSeason: false,
};

export function resolveMess(mess: boolean | Partial<MessOptions> | undefined): MessOptions {
  if (mess === false) return { ...noMess };
  if (mess === undefined || mess === true) return { ...defaultMess };
  for (const [key, value] of Object.entries(mess)) {
    if (typeof value === 'number' && !(value >= 0 && value <= 1)) {
      throw new RangeError(`mess.${key} must be a share between 0 and 1, got ${value}`);
    }
  }
  return { ...defaultMess, ...mess };
}
