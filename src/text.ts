/**
 * monday counts Unicode code points. A cut must never split a surrogate pair (half an emoji)
 * nor a grapheme (a letter from its combining accent, a flag, a family emoji), so it backs
 * off to the last whole grapheme that fits.
 */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The longest prefix of whole graphemes that is at most `max` code points. */
export function cutToCodePoints(s: string, max: number): { text: string; cut: boolean } {
  if (s.length <= max || codePointLength(s) <= max) return { text: s, cut: false };
  let out = '';
  let n = 0;
  for (const { segment } of graphemes.segment(s)) {
    const len = codePointLength(segment);
    if (n + len > max) break;
    out += segment;
    n += len;
  }
  return { text: out, cut: true };
}

/** Line breaks, tabs and runs of whitespace become one space; the ends are trimmed. */
export function collapseSpace(s: string): string {
  return s.replace(/\s+/gu, ' ').trim();
}
