import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Slack-compatible webhook on 127.0.0.1 that keeps every body it is POSTed. */
export interface Webhook {
  url: string;
  received: Array<{ text: string; blocks: unknown[] }>;
  close(): void;
}

export async function webhook(): Promise<Webhook> {
  const received: Webhook['received'] = [];
  const server: Server = createServer((req, res) => {
    // As Slack's: anything but a POST is refused and posts nothing.
    if (req.method !== 'POST') {
      res.statusCode = 405;
      res.end();
      return;
    }
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body) as Webhook['received'][number]);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => server.close() };
}

/** A loopback port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
