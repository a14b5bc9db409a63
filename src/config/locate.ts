/**
 * Finds the line of a key path in TOML text, so config errors can say "file:line".
 * smol-toml reports positions for syntax errors only; validation errors come from zod
 * with a key path, and this maps the path back to the line that defines it (or the
 * closest enclosing table).
 */
export function locateKey(text: string, path: readonly string[]): number | undefined {
  let table: string[] = [];
  let best: { line: number; depth: number } | undefined;
  const lines = text.split(/\r?\n/);
  const consider = (keyPath: string[], line: number) => {
    const depth = commonPrefix(keyPath, path);
    if (depth === 0 || depth < keyPath.length) return;
    if (!best || depth > best.depth) best = { line, depth };
  };
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const header = /^\[\[?(.*?)\]\]?\s*(#.*)?$/.exec(line);
    if (header?.[1] !== undefined) {
      table = splitKey(header[1]);
      consider(table, i + 1);
      return;
    }
    const eq = findAssignment(line);
    if (eq < 0) return;
    const key = [...table, ...splitKey(line.slice(0, eq))];
    consider(key, i + 1);
    // Inline tables: `size_markers = { start_after = "X" }` defines nested keys on this line.
    for (const m of line.slice(eq + 1).matchAll(/([A-Za-z0-9_-]+|"[^"]*")\s*=/g)) {
      consider([...key, unquote(m[1] ?? '')], i + 1);
    }
  });
  return best?.line;
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function findAssignment(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '=') {
      return i;
    }
  }
  return -1;
}

function splitKey(key: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const c of key.trim()) {
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '.') {
      parts.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current.trim());
  return parts;
}

function unquote(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1) : s;
}

/** A key path as a user would type it: mapping.columns."AAG ORDER NUMBER". */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => {
      const s = String(p);
      return /^[A-Za-z0-9_-]+$/.test(s) ? s : JSON.stringify(s);
    })
    .join('.');
}
