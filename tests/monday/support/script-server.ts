import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** monday's side of an exchange, scripted: what the server answers to the n-th request. */
export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON, a string as is. */
  body?: unknown;
  /** Answer only after this long (to trip the client's timeout). */
  delayMs?: number;
  /** Cut the connection without answering (after reading the request). */
  drop?: boolean;
}

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { query: string; variables: Record<string, unknown>; operationName?: string };
}

export type Script = Scripted | ((req: Received, index: number) => Scripted);

export interface ScriptServer {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

export async function startScriptServer(script: Script[]): Promise<ScriptServer> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const received: Received = { headers: req.headers, raw, body: JSON.parse(raw) as Received['body'] };
      const index = requests.length;
      requests.push(received);
      const step = script[index];
      const answer: Scripted =
        step === undefined
          ? { status: 500, body: { errors: [{ message: `script has no step ${index}` }] } }
          : typeof step === 'function'
            ? step(received, index)
            : step;
      const send = () => {
        if (answer.drop) {
          req.socket.destroy();
          return;
        }
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
        res.end(text);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A successful monday answer with the complexity block every document asks for. */
export function ok(data: Record<string, unknown>, complexity = { before: 9_000_000, after: 8_970_000, query: 30_000, reset_in_x_seconds: 40 }) {
  return { body: { data: { complexity, ...data }, extensions: { request_id: 'req-ok' } } };
}

export function rateLimited(code: string, retryInSeconds: number, retryAfter?: number): Scripted {
  return {
    status: 429,
    headers: retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {},
    body: {
      errors: [{ message: code, extensions: { code, retry_in_seconds: retryInSeconds } }],
      extensions: { request_id: 'req-429' },
    },
  };
}
