// The harness of the browser tests (see run.mjs): the server, the
// browser, the demo API and screenshots.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, copyFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export { assert };

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

// The default desktop and phone viewports.
export const DESKTOP = { width: 1200, height: 900 };
export const PHONE = { width: 390, height: 844 };

// README_MAX_HEIGHT bounds the README's screenshots (pixels).
const README_MAX_HEIGHT = 1500;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(base, proc, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.exitCode !== null) {
      throw new Error(`thaitrust serve exited with ${proc.exitCode}`);
    }
    try {
      const r = await fetch(base + '/healthz');
      if (r.ok) return;
    } catch { /* not up yet */ }
    if (Date.now() > until) throw new Error(`${base}/healthz did not answer in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// startServer starts `thaitrust serve --demo` on a free port with a
// temporary data directory.
async function startServer() {
  const bin = process.env.THAITRUST_BIN || 'thaitrust';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'thaitrust-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--data', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log = (log + d).slice(-20000); });
  try {
    await waitHealthy(base, proc, 60000);
  } catch (err) {
    proc.kill();
    throw new Error(`${err.message}\n${log}`);
  }
  const token = (await readFile(path.join(dir, 'secrets', 'demo-token'), 'utf8')).trim();
  return {
    base, token,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startHarness(here) {
  const artifacts = path.resolve(process.env.THAITRUST_ARTIFACTS || path.join(here, 'artifacts'));
  const readmeDir = path.resolve(here, '..', '..', 'docs', 'screenshots');
  const update = process.env.THAITRUST_UPDATE_SCREENSHOTS === '1';
  await mkdir(artifacts, { recursive: true });
  let server;
  if (process.env.THAITRUST_URL) {
    server = { base: process.env.THAITRUST_URL.replace(/\/$/, ''), token: process.env.THAITRUST_TOKEN || '', stop: async () => {} };
    await waitHealthy(server.base, null, 30000);
  } else {
    server = await startServer();
  }
  const executablePath = process.env.THAITRUST_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no browser at ${executablePath}; run scripts/setup.sh`);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const api = makeAPI(server.base, server.token);

  return {
    artifacts,
    forSpec(name) {
      const pages = [];
      const t = {
        name, base: server.base, token: server.token, browser, api, assert, failed: 0, passed: 0,
        // newPage opens a page in a fresh context (its own cookies).
        async newPage(opts = {}) {
          const ctx = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true, ...opts });
          ctx.setDefaultTimeout(45000); // generous: make test loads two cores with everything at once
          const page = await ctx.newPage();
          page.on('pageerror', (e) => { t.jsErrors.push(String(e)); });
          page.on('console', (m) => { if (m.type() === 'error') t.jsErrors.push(m.text()); });
          pages.push(page);
          t.page = page;
          return page;
        },
        jsErrors: [],
        page: null,
        // shot saves a full-page screenshot as <name>.png; readme: the
        // README shows it (copied to docs/screenshots with
        // THAITRUST_UPDATE_SCREENSHOTS=1).
        async shot(page, file, { readme = false, fullPage = true } = {}) {
          const p = path.join(artifacts, file + '.png');
          await page.screenshot({ path: p, fullPage });
          if (readme && update) {
            // The README's copy is at most README_MAX_HEIGHT tall: the
            // top of the page, where the verdict and the main facts are.
            await mkdir(readmeDir, { recursive: true });
            const dst = path.join(readmeDir, file + '.png');
            const { width, height } = await page.evaluate(() => ({ width: document.documentElement.clientWidth, height: document.documentElement.scrollHeight }));
            if (fullPage && height > README_MAX_HEIGHT) {
              await page.screenshot({ path: dst, fullPage: true, clip: { x: 0, y: 0, width, height: README_MAX_HEIGHT } });
            } else {
              await copyFile(p, dst);
            }
          }
          return p;
        },
        async step(stepName, fn) {
          const started = Date.now();
          try {
            await fn();
            if (t.jsErrors.length) throw new Error('JavaScript errors on the page: ' + t.jsErrors.join('; '));
            t.passed++;
            console.log(`ok   ${name}: ${stepName} (${Date.now() - started} ms)`);
          } catch (err) {
            t.failed++;
            console.error(`FAIL ${name}: ${stepName}: ${err && err.stack ? err.stack : err}`);
            if (t.page && !t.page.isClosed()) {
              await t.page.screenshot({ path: path.join(artifacts, `FAIL-${name}-${stepName.replace(/[^a-z0-9]+/gi, '_')}.png`), fullPage: true }).catch(() => {});
            }
            err.__reported = true;
            throw err;
          } finally {
            t.jsErrors = [];
          }
        },
        reported(err) { return Boolean(err && err.__reported); },
        async close() {
          for (const p of pages) await p.context().close().catch(() => {});
        },
      };
      return t;
    },
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

// makeAPI wraps the server's JSON API with the demo client's token.
function makeAPI(base, token) {
  async function call(method, p, body) {
    const r = await fetch(base + p, {
      method,
      headers: { 'Authorization': `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  const examples = {};
  const api = {
    call,
    // example returns the catalogue's example credential of a type.
    async example(type) {
      if (!examples[type]) examples[type] = (await call('GET', `/schemas/${type}`)).example;
      return structuredClone(examples[type]);
    },
    // issue has issuer issue a credential of type; format "vc+jwt" (the
    // compact JWS) or "dc+sd-jwt" (the SD-JWT, bound to a fresh Ed25519
    // holder key); pdf: also its PDF e-certificate (a Buffer).
    async issue(issuer, type, { format = 'vc+jwt', pdf = false } = {}) {
      const credential = await api.example(type);
      const options = { format };
      if (format === 'dc+sd-jwt') {
        const { publicKey } = generateKeyPairSync('ed25519');
        options.holderKey = publicKey.export({ format: 'jwk' });
      }
      if (pdf) options.pdf = true;
      const out = await call('POST', `/issuers/${issuer}/credentials/issue`, { credential, options });
      const id = out.verifiableCredential.id;
      const token = decodeURIComponent(id.slice(id.indexOf(',') + 1));
      return { token, pdf: out.pdf ? Buffer.from(out.pdf, 'base64') : null, id: out.credentialId };
    },
    async setStatus(issuer, credentialId, action) {
      return call('POST', `/issuers/${issuer}/credentials/status`, { credentialId, action });
    },
  };
  return api;
}
