import { afterEach, describe, expect, it } from 'vitest';
import { buildVerifier } from '../../verifier';
import { parseListenAddress } from '../../verifier/http/metrics-app';
import { startVerifierProcess } from '../support/cli-process';
import { authHeader, credentials } from '../support/simulator-harness';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const MAPS = ['/metrics', '/openapi.json', '/docs', '/docs/', '/docs/json', '/docs/static/index.html'];

async function verifier(metricsListen?: { host: string; port: number }) {
  const v = await buildVerifier({ host: '127.0.0.1', port: 0, credentials, dataFile: ':memory:', metricsListen });
  const ports = await v.start();
  cleanups.push(() => v.stop());
  return { url: `http://127.0.0.1:${ports.port}`, metricsPort: ports.metricsPort };
}

describe('metrics, docs and the OpenAPI document', () => {
  it('answer 401 without credentials or with wrong ones, 200 with them; /healthz stays open', async () => {
    const { url } = await verifier();
    const wrong = `Basic ${Buffer.from(`${credentials.accountSid}:not-the-token`).toString('base64')}`;
    for (const path of MAPS) {
      for (const headers of [{}, { authorization: wrong }] as Record<string, string>[]) {
        const refused = await fetch(`${url}${path}`, { headers, redirect: 'manual' });
        expect(refused.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect(await refused.json()).toMatchObject({ code: 20003 });
      }
      const allowed = await fetch(`${url}${path}`, { headers: { authorization: authHeader }, redirect: 'manual' });
      expect(allowed.status, path).toBeLessThan(400);
    }
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: authHeader } });
    expect(await metrics.text()).toContain('verigate_verifications_started_total');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('--metrics-listen serves /metrics and /healthz on a listener of its own without credentials, and nothing else', async () => {
    const { url, metricsPort } = await verifier({ host: '127.0.0.1', port: 0 });
    expect(metricsPort).toBeGreaterThan(0);
    expect(metricsPort).not.toBe(Number(new URL(url).port));
    const scraper = `http://127.0.0.1:${metricsPort}`;
    const metrics = await fetch(`${scraper}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain('verigate_verifications_started_total');
    expect((await fetch(`${scraper}/healthz`)).status).toBe(200);
    for (const path of ['/v2/Services', '/openapi.json', '/docs', '/.well-known/jwks.json']) expect((await fetch(`${scraper}${path}`)).status, path).toBe(404);
    // The API's own /metrics still takes credentials.
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
  });

  it('--metrics-listen takes HOST:PORT or PORT, on loopback unless a host is given', () => {
    expect(parseListenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListenAddress('metrics.internal:9464')).toEqual({ host: 'metrics.internal', port: 9464 });
    for (const bad of ['', 'host:', ':9464x', '70000', 'http://x:1', 'a b:1']) expect(parseListenAddress(bad), bad).toBeUndefined();
  });

  it('verigate verifier --metrics-listen 0 prints the scrape URL and serves it without credentials; a bad value stops it naming the flag', async () => {
    const cli = await startVerifierProcess(['--data', ':memory:', '--metrics-listen', '0']);
    cleanups.push(() => cli.kill());
    const scrape = /Metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics) \(no credentials\)/.exec(cli.stdout())?.[1];
    expect(scrape, cli.stdout()).toBeDefined();
    const metrics = await fetch(scrape!);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('verigate_');
    expect((await fetch(`http://127.0.0.1:${cli.verifyPort}/metrics`)).status).toBe(401);
    await expect(startVerifierProcess(['--data', ':memory:', '--metrics-listen', 'nine'])).rejects.toThrow(/--metrics-listen: "nine" must be HOST:PORT or PORT/);
  }, 40_000);
});
