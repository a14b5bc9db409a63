/** Word lists for realistic-looking values; shapes follow the prior system's reports and logs. */

export const realCustomers: ReadonlyArray<{ name: string; source: string; weight: number }> = [
  { name: 'GREYSON', source: 'GREYSON CLOTHIERS', weight: 1091 },
  { name: 'PELOTON', source: 'PELOTON INTERACTIVE', weight: 1089 },
  { name: 'TITLE NINE', source: 'TITLE NINE', weight: 338 },
  { name: 'BORN PRIMITIVE', source: 'BORN PRIMITIVE LLC', weight: 300 },
  { name: 'WHITE FOX', source: 'WHITE FOX BOUTIQUE', weight: 591 },
  { name: 'SUMMERSALT', source: 'SUMMERSALT', weight: 250 },
  { name: 'SUN DAY RED', source: 'SUN DAY RED', weight: 796 },
  { name: 'TAYLOR MADE', source: 'TAYLORMADE GOLF', weight: 558 },
  { name: 'SEISSENSE', source: 'SEISSENSE', weight: 529 },
  { name: 'CAMILLA', source: 'CAMILLA AND MARC', weight: 319 },
  { name: 'LORNA JANE', source: 'LORNA JANE PTY LTD', weight: 900 },
  { name: 'AESCAPE', source: 'AESCAPE', weight: 8 },
  { name: 'BC BRANDS', source: 'BC BRANDS', weight: 6 },
  { name: 'GET LAMBS', source: 'GET LAMBS', weight: 8 },
  { name: 'ACTIVELY BLACK', source: 'ACTIVELY BLACK', weight: 14 },
];

/** Synthetic customers carry accents and CJK on purpose: group names must survive them. */
export const syntheticFirstWords = [
  'NORTH', 'BLUE', 'WILD', 'IRON', 'SALT', 'STONE', 'WILLOW', 'COAST', 'ALPINE', 'HARBOR', 'MAISON ÉTOILE',
  'SAKURA 桜', 'CEDAR', 'FJORD', 'SOL', 'KÖLN',
];
export const syntheticSecondWords = ['ATHLETICS', 'APPAREL', 'SUPPLY CO', 'OUTDOOR', 'STUDIO', 'LABEL', 'ACTIVE', 'GOLF'];

/** [AAG season, month it ships from]. */
export const aagSeasons: ReadonlyArray<readonly [string, number]> = [
  ['2025 SPRING', 2], ['2025 SUMMER', 5], ['2025 FALL', 8], ['2025 HOLIDAY', 10], ['2026 SPRING', 2],
  ['2026 SPRING SUMMER', 3], ['2026 SUMMER', 5], ['2026 FALL', 8], ['2026 HOLIDAY', 10],
];

export const monthNames = [
  'JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER',
  'DECEMBER',
];

export const colours: ReadonlyArray<readonly [string, string]> = [
  ['417', 'MALTESE BLUE'], ['270', 'PEBBLE'], ['001', 'SOLID BLACK'], ['312', 'ANTIQUE MOSS'], ['100', 'WHITE'],
  ['410', 'NAVY'], ['605', 'CLARET'], ['220', 'SAND DUNE'], ['530', 'SAGE'], ['720', 'SUNSET CORAL'],
  ['090', 'HEATHER GREY'], ['815', 'LILAC HAZE'],
];

export const garments = [
  'SEAMLESS LEGGING 25"', 'PERFORMANCE POLO', 'FLEECE HOODIE', 'SPORTS BRA - HIGH SUPPORT', '7/8 TIGHT, POCKETS',
  'QUARTER ZIP PULLOVER', 'RUNNING SHORT 5"', 'TANK TOP', 'JOGGER', 'SWIM ONE-PIECE', 'BIKE SHORT', 'WIND JACKET',
  "MEN'S CHINO PANT", 'RIBBED CREW TEE',
];
export const genders = ['WOMENS', 'MENS', 'UNISEX', 'GIRLS', 'BOYS'];
export const categories = ['TOPS', 'BOTTOMS', 'OUTERWEAR', 'BRAS', 'DRESSES', 'SWIM', 'ACCESSORIES'];
export const planners = ['JESS M', 'KATE L', 'RAJ P', 'LINH T', 'MARIA G', 'TOM O'];
export const destinations: ReadonlyArray<readonly [string, string]> = [
  ['USA', 'LA WAREHOUSE'], ['USA', 'NJ DC'], ['AUSTRALIA', 'MELBOURNE DC'], ['UK', 'LEICESTER 3PL'],
  ['CANADA', 'TORONTO DC'],
];
export const channels = ['ECOMM', 'WHOLESALE', 'RETAIL', 'MARKETPLACE'];
export const deliveryMethods = ['SEA', 'AIR', 'COURIER', 'SEA/AIR'];
export const hsCodes = ['6109.90.10.50', '6212.10.90.20', '6104.63.20.11', '6110.30.30.53', '6112.41.00.10'];
export const origins = ['CHINA', 'VIETNAM', 'CAMBODIA', 'BANGLADESH', 'SRI LANKA'];

export const shortNotes = [
  'PLEASE CONFIRM TRIMS', 'LABELS TO FOLLOW', 'REBUY, SAME AS LAST SEASON', 'PRIORITY - MARKETING SHOOT',
  'SPLIT SHIPMENT OK', 'HANG TAGS: "NEW" VERSION',
];
export const unicodeNotes = [
  'Colour approval pending – café latté shade', 'Müller wants 2 cartons, ✓ approved', '请确认包装 (packing to confirm)',
  'サイズ表を確認してください', 'Rush 🚀 ship ASAP 👕', 'Naïve déjà-vu: ß, ø, ñ, ç', 'Zero‑width joiner: 👩‍💻 and RTL: שלום',
];

/** Size runs an order draws a window from. The first one dominates, as XS–XL do in real files. */
export const sizeRuns: ReadonlyArray<{ sizes: readonly string[]; weight: number; window: readonly [number, number] }> = [
  { sizes: ['XS', 'S', 'M', 'L', 'XL'], weight: 70, window: [4, 5] },
  { sizes: ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL'], weight: 15, window: [4, 6] },
  { sizes: ['S', 'M', 'L', 'XL', 'XXL', '2XL', '3XL'], weight: 4, window: [4, 5] },
  { sizes: ['28', '30', '31', '32', '33', '34', '36', '38'], weight: 3, window: [4, 6] },
  { sizes: ['30/30', '30/32', '32/30', '32/32', '34/30', '34/32', '36/32'], weight: 2, window: [3, 5] },
  { sizes: ['32C', '32D', '32DD', '34C', '34D', '34DD', '36C', '36D'], weight: 2, window: [4, 6] },
  { sizes: ['2T', '3T', '4T', '5T', '6T'], weight: 1, window: [3, 5] },
  { sizes: ['ONE SIZE'], weight: 1.5, window: [1, 1] },
  { sizes: ['O/S'], weight: 0.5, window: [1, 1] },
  { sizes: ['S/M', 'M/L', 'L/XL'], weight: 1, window: [2, 3] },
];
