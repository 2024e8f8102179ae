// DNS-rebinding guard: Host parsing, the 403 for foreign names, and serve() turning it on for loopback binds only.
import type { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { hostName, isLoopbackAddress, LOOPBACK_HOSTS } from '../../src/server/host-check.js';
import { serve } from '../../src/commands/serve.js';

let dir: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mnist-lab-host-'));
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await rm(dir, { recursive: true, force: true });
});

/** GET path with an explicit Host header (fetch may not set one). */
function getWithHost(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes (so headers can repeat) and returns the whole response text. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
  });
}

describe('hostName', () => {
  it('strips ports and IPv6 brackets and lower-cases', () => {
    expect(hostName('LocalHost:8080')).toBe('localhost');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('[::1]:8080')).toBe('::1');
    expect(hostName('example.com.')).toBe('example.com');
  });

  it('returns null for missing or malformed headers', () => {
    expect(hostName(undefined)).toBeNull();
    expect(hostName('')).toBeNull();
    expect(hostName('a b:80')).toBeNull();
    expect(hostName('host:port')).toBeNull();
  });

  it('knows which bind addresses are loopback', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopbackAddress)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.5'].some(isLoopbackAddress)).toBe(false);
  });
});

describe('registerHostCheck through buildApp', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({ models: {}, allowedHosts: [...LOOPBACK_HOSTS, 'lab.internal'] });
    apps.push(app);
  });

  it.each(['localhost:8080', '127.0.0.1:9', '127.4.5.6', '[::1]:8080', 'LAB.internal'])('answers Host %s', async (host) => {
    const response = await app.inject({ method: 'GET', url: '/v1/models', headers: { host } });
    expect(response.statusCode).toBe(200);
  });

  it.each(['evil.example:8080', 'localhost.evil.example', '10.0.0.1'])('refuses Host %s with 403 naming it and the fix', async (host) => {
    const response = await app.inject({ method: 'GET', url: '/v1/models', headers: { host } });
    expect(response.statusCode).toBe(403);
    const body = response.json();
    expect(body.code).toBe('FORBIDDEN_HOST');
    expect(body.message).toContain(JSON.stringify(host));
    expect(body.message).toContain('localhost');
    expect(body.hint).toContain('--allow-host');
  });
});

describe('serve', () => {
  it('guards a loopback bind and accepts --allow-host names', async () => {
    const { app, url } = await serve({ port: 0, runsDir: dir, backend: 'cpu', allowHosts: ['proxy.lan'], print: () => {} });
    apps.push(app);
    const port = new URL(url).port;
    expect((await getWithHost(url, '/v1/models', `127.0.0.1:${port}`)).status).toBe(200);
    expect((await getWithHost(url, '/v1/models', `proxy.lan:${port}`)).status).toBe(200);
    const refused = await getWithHost(url, '/api/runs', `rebound.example:${port}`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).code).toBe('FORBIDDEN_HOST');
  });

  it('refuses a request with two Host headers, whichever comes first', async () => {
    const { app, url } = await serve({ port: 0, runsDir: dir, backend: 'cpu', print: () => {} });
    apps.push(app);
    const { port } = new URL(url);
    for (const hosts of [[`127.0.0.1:${port}`, 'evil.example'], ['evil.example', `127.0.0.1:${port}`], [`127.0.0.1:${port}`, `127.0.0.1:${port}`]]) {
      const response = await rawRequest(Number(port), `GET /v1/models HTTP/1.1\r\n${hosts.map((h) => `Host: ${h}\r\n`).join('')}Connection: close\r\n\r\n`);
      expect(response, hosts.join(' + ')).toMatch(/^HTTP\/1\.1 (403|400) /);
      if (response.startsWith('HTTP/1.1 403')) expect(response).toContain('FORBIDDEN_HOST');
    }
  });

  it('leaves a wider bind to the user', async () => {
    const { app, url } = await serve({ port: 0, host: '0.0.0.0', runsDir: dir, backend: 'cpu', print: () => {} });
    apps.push(app);
    const local = url.replace('0.0.0.0', '127.0.0.1');
    expect((await getWithHost(local, '/v1/models', 'any.name.example')).status).toBe(200);
  });
});
