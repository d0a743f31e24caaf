// peer.mjs: the OpenWallet Foundation's SD-JWT VC library
// (@sd-jwt/sd-jwt-vc, with @sd-jwt/crypto-nodejs for keys, hashes and
// salts) as an independent peer for ThaiTrust's interop tests
// (interop/sdjwt_node_test.go). It reads a JSON array of requests on stdin
// and writes a JSON array of responses ({ok: true, ...} or {ok: false,
// error}) on stdout. It touches no network: status lists come in the
// request (statusLists: {uri: statuslist+jwt}).
//
// Requests (op):
//   verify   {presentation, issuerJwk, alg, aud, nonce, now, statusLists}
//            -> {payload, header, kb}: SDJwtVcInstance.verify with key
//            binding required (keyBindingNonce). The library checks the
//            issuer signature, iat/nbf/exp, the disclosures, the status
//            list entry, and the KB-JWT's typ, signature (by cnf.jwk),
//            nonce and sd_hash; it does not check the KB-JWT's aud or its
//            age, nor the typ of the issuer JWT, so this verifier, as an
//            application must, checks aud and typ dc+sd-jwt itself.
//   issue    {issuerJwk (private), alg, kid, payload, disclosureFrame}
//            -> {token}
//   present  {token, presentationFrame, holderJwk (private), alg, aud,
//            nonce, iat} -> {presentation}
//   bench    {presentation, issuerJwk, alg, aud, nonce, now, statusLists,
//            seconds} -> per-call median times (ns) of: verify above
//            ("vc"), @sd-jwt/core's SDJwtInstance.verify with the same
//            key binding and no status list ("core"), and one raw
//            Ed25519 verification of the issuer JWT's signing input with
//            node:crypto ("raw"), interleaved in blocks of 4 calls; and
//            the same in CPU time of the process (*CpuNs, process.cpuUsage).
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { SDJwtInstance } from '@sd-jwt/core';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt, getSigner, getVerifier } from '@sd-jwt/crypto-nodejs';

// WebCrypto parameters for a JWS alg.
function algParams(alg) {
  switch (alg) {
    case 'EdDSA':
      return [{ name: 'Ed25519' }, { name: 'Ed25519' }];
    case 'ES256':
      return [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: { name: 'SHA-256' } }];
  }
  throw new Error(`unsupported alg ${alg}`);
}

// The JWS alg of a public JWK (cnf.jwk), as the KB-JWT must use it.
function jwkAlg(jwk) {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new Error('unsupported cnf.jwk');
}

async function verifierFor(jwk, alg) {
  const [keyAlg, verifyAlg] = algParams(alg);
  return getVerifier(jwk, keyAlg, verifyAlg);
}

// kbVerifier verifies a KB-JWT with the key in the issuer JWT's cnf.jwk.
async function kbVerifier(data, sig, payload) {
  const jwk = payload?.cnf?.jwk;
  if (!jwk) throw new Error('no cnf.jwk');
  const v = await verifierFor(jwk, jwkAlg(jwk));
  return v(data, sig);
}

async function vcVerifier(req) {
  const issuer = await verifierFor(req.issuerJwk, req.alg);
  const lists = req.statusLists ?? {};
  return new SDJwtVcInstance({
    hasher: digest,
    verifier: issuer,
    kbVerifier,
    statusListFetcher: async (uri) => {
      if (!(uri in lists)) throw new Error(`no status list at ${uri}`);
      return lists[uri];
    },
  });
}

// checkApp applies the checks the library leaves to the application.
function checkApp(res, req) {
  if (res.header?.typ !== 'dc+sd-jwt') throw new Error(`typ ${res.header?.typ}`);
  if (!res.kb) throw new Error('no key binding');
  if (res.kb.payload.aud !== req.aud) throw new Error(`KB-JWT aud ${res.kb.payload.aud}`);
}

async function verify(req) {
  const sd = await vcVerifier(req);
  const res = await sd.verify(req.presentation, { keyBindingNonce: req.nonce, currentDate: req.now });
  checkApp(res, req);
  return { payload: res.payload, header: res.header, kb: res.kb };
}

async function issue(req) {
  const [keyAlg, signAlg] = algParams(req.alg);
  const sd = new SDJwtVcInstance({
    hasher: digest,
    saltGenerator: generateSalt,
    signer: await getSigner(req.issuerJwk, keyAlg, signAlg),
    signAlg: req.alg,
  });
  const token = await sd.issue(req.payload, req.disclosureFrame, { header: { kid: req.kid } });
  return { token };
}

async function present(req) {
  const [keyAlg, signAlg] = algParams(req.alg);
  const sd = new SDJwtVcInstance({
    hasher: digest,
    kbSigner: await getSigner(req.holderJwk, keyAlg, signAlg),
    kbSignAlg: req.alg,
  });
  const presentation = await sd.present(req.token, req.presentationFrame, {
    kb: { payload: { aud: req.aud, nonce: req.nonce, iat: req.iat } },
  });
  return { presentation };
}

function median(xs) {
  const s = [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return s[s.length >> 1];
}

async function bench(req) {
  const vc = await vcVerifier(req);
  const core = new SDJwtInstance({ hasher: digest, verifier: await verifierFor(req.issuerJwk, req.alg), kbVerifier });
  const jwt = req.presentation.split('~')[0];
  const dot = jwt.lastIndexOf('.');
  const input = Buffer.from(jwt.slice(0, dot));
  const sig = Buffer.from(jwt.slice(dot + 1), 'base64url');
  const pub = createPublicKey({ key: req.issuerJwk, format: 'jwk' });
  const opts = { keyBindingNonce: req.nonce, currentDate: req.now };
  const ops = {
    vc: async () => checkApp(await vc.verify(req.presentation, opts), req),
    core: async () => checkApp(await core.verify(req.presentation, opts), req),
    raw: async () => {
      if (!cryptoVerify(null, input, pub, sig)) throw new Error('raw verify failed');
    },
  };
  const block = 4;
  const times = { vc: [], core: [], raw: [] };
  const cpu = { vc: [], core: [], raw: [] };
  const until = process.hrtime.bigint() + BigInt(Math.round((req.seconds ?? 2) * 1e9));
  for (const op of Object.values(ops)) await op(); // warm up; throws if anything fails
  while (process.hrtime.bigint() < until) {
    for (const [name, op] of Object.entries(ops)) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < block; i++) await op();
      times[name].push(process.hrtime.bigint() - t0);
      const c = process.cpuUsage(c0);
      cpu[name].push(BigInt(c.user + c.system) * 1000n);
    }
  }
  const out = { blocks: times.raw.length };
  for (const name of Object.keys(times)) {
    out[name + 'Ns'] = Number(median(times[name])) / block;
    out[name + 'CpuNs'] = Number(median(cpu[name])) / block;
  }
  out.node = process.version;
  return out;
}

const handlers = { verify, issue, present, bench };

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const out = [];
  for (const req of JSON.parse(input)) {
    try {
      const h = handlers[req.op];
      if (!h) throw new Error(`unknown op ${req.op}`);
      out.push({ ok: true, ...(await h(req)) });
    } catch (e) {
      out.push({ ok: false, error: String(e?.message ?? e) });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

await main();
