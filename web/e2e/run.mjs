// Browser tests of ThaiTrust's pages: playwright-core drives Debian's
// Chromium (no browser download) through each page's main path and saves
// screenshots.
//
//   node run.mjs
//
// Environment:
//   THAITRUST_URL, THAITRUST_TOKEN  a running demo server and its demo
//                                   client's token (what web/e2e_test.go
//                                   gives); without them,
//   THAITRUST_BIN                   a thaitrust binary (default: thaitrust
//                                   on PATH) is started as
//                                   `serve --demo` on a free port with a
//                                   temporary data directory.
//   THAITRUST_CHROMIUM              the browser (default /usr/bin/chromium)
//   THAITRUST_ARTIFACTS             where screenshots go (default ./artifacts)
//   THAITRUST_UPDATE_SCREENSHOTS=1  also copy the README's screenshots to
//                                   docs/screenshots/
//   THAITRUST_E2E_ONLY=name         run only the spec files whose name
//                                   contains name
//
// Every *.spec.mjs file here is a spec: its default export is
// async (t) => {...}, which runs steps with t.step(name, fn); see lib.mjs
// for what t offers. A failed step fails the run (exit 1) and leaves a
// screenshot of the page named FAIL-<spec>-<step>.png.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startHarness } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.THAITRUST_E2E_ONLY || '';
const files = (await readdir(here)).filter((f) => f.endsWith('.spec.mjs') && f.includes(only)).sort();
if (files.length === 0) {
  console.error('e2e: no spec files' + (only ? ` matching ${only}` : ''));
  process.exit(2);
}

const h = await startHarness(here);
let failed = 0;
let steps = 0;
try {
  for (const f of files) {
    const spec = (await import(path.join(here, f))).default;
    const t = h.forSpec(f.replace(/\.spec\.mjs$/, ''));
    try {
      await spec(t);
    } catch (err) {
      // The failing step was reported; the rest of the spec is skipped.
      if (!t.reported(err)) {
        console.error(`FAIL ${t.name}: ${err && err.stack ? err.stack : err}`);
      }
    } finally {
      await t.close();
    }
    failed += t.failed;
    steps += t.passed + t.failed;
  }
} finally {
  await h.close();
}
console.log(`e2e: ${steps - failed} of ${steps} steps passed; screenshots in ${h.artifacts}`);
process.exit(failed ? 1 : 0);
