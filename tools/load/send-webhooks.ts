import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One request to send: the exact body bytes and the headers (signatures) to send with it. */
export interface OutgoingWebhook {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Answer {
  /** The HTTP status, or 0 when the request failed without one (connection refused or reset). */
  readonly status: number;
  /** From the first byte written to the last byte of the answer read. */
  readonly latencyMs: number;
  readonly error?: string;
}

export interface SendResult {
  /** In the order of the webhooks given. */
  readonly answers: readonly Answer[];
  /** From the first request started to the last answer read. */
  readonly elapsedMs: number;
}

/**
 * POSTs every webhook to `url` with at most `concurrency` requests in flight, over keep-alive connections
 * (one per concurrent request, as a load balancer in front of API Gateway would keep them).
 */
export async function sendWebhooks(
  url: string,
  webhooks: readonly OutgoingWebhook[],
  concurrency: number,
): Promise<SendResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const answers: Answer[] = new Array(webhooks.length);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < webhooks.length) {
      const index = next;
      next += 1;
      answers[index] = await post(url, webhooks[index] as OutgoingWebhook, agent);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, webhooks.length) }, worker));
  } finally {
    agent.destroy();
  }
  return { answers, elapsedMs: performance.now() - started };
}

function post(url: string, webhook: OutgoingWebhook, agent: Agent): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(webhook.body.length),
          ...webhook.headers,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, latencyMs: performance.now() - started }));
        res.once('error', (error) =>
          resolve({ status: 0, latencyMs: performance.now() - started, error: error.message }),
        );
      },
    );
    req.once('error', (error) => resolve({ status: 0, latencyMs: performance.now() - started, error: error.message }));
    req.end(webhook.body);
  });
}

/** The value below which `fraction` of the values fall (nearest rank). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}
