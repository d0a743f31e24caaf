// The verifier portal: paste, file upload, drag and drop, revoked,
// the language switch, a phone's width, no JavaScript, and the OpenID4VP
// request's QR code.
import { PHONE } from './lib.mjs';

export default async function (t) {
  const { assert, api } = t;
  const degree = await api.issue('university', 'DegreeCredential', { pdf: true });
  const sdjwt = await api.issue('university', 'DegreeCredential', { format: 'dc+sd-jwt' });
  const revoked = await api.issue('university', 'DegreeCredential');
  await api.setStatus('university', revoked.id, 'revoke');

  let page = await t.newPage();
  const verdict = async () => {
    const h = page.locator('[data-verdict]');
    await h.waitFor();
    return h.getAttribute('data-verdict');
  };
  const paste = async (token) => {
    await page.goto(t.base + '/');
    await page.fill('#token', token);
    await Promise.all([page.waitForURL('**/verify'), page.click('form:has(#token) button[type=submit]')]);
  };

  await t.step('the portal opens in Thai', async () => {
    await page.goto(t.base + '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'th');
    assert.equal((await page.textContent('h1')).trim(), 'ตรวจสอบเอกสารรับรองดิจิทัล');
    // Every form control has a label.
    const unlabelled = await page.$$eval('input:not([type=hidden]), textarea, select', (els) =>
      els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id || e.name));
    assert.deepEqual(unlabelled, []);
    await t.shot(page, 'portal', { readme: true });
  });

  await t.step('the keyboard reaches everything, with a visible focus', async () => {
    await page.goto(t.base + '/');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const e = document.activeElement;
      const st = getComputedStyle(e);
      return { id: e.id, outline: st.outlineStyle, width: parseFloat(st.outlineWidth) };
    });
    assert.equal(focus.id, 'file', 'the first control of the content is the file input');
    assert.ok(focus.outline !== 'none' && focus.width >= 2, `focus outline ${JSON.stringify(focus)}`);
  });

  await t.step('a pasted vc+jwt is valid', async () => {
    await paste(degree.token);
    assert.equal(await verdict(), 'valid');
    assert.equal((await page.textContent('#verdict')).trim(), 'ถูกต้อง');
    assert.equal(await page.locator('[data-check-status=passed]').count(), 6);
    assert.equal(await page.locator('[data-check-status=failed]').count(), 0);
    assert.match(await page.textContent('.issuer-name'), /มหาวิทยาลัยสยามดิจิทัล/);
    assert.match(await page.textContent('#claims-h + dl'), /วิศวกรรมศาสตรบัณฑิต/);
    await t.shot(page, 'verify-valid', { readme: true });
  });

  await t.step('an uploaded PDF e-certificate is valid', async () => {
    await page.goto(t.base + '/');
    // Choosing a file submits the form (site.js).
    await Promise.all([
      page.waitForURL('**/verify'),
      page.setInputFiles('#file', { name: 'degree.pdf', mimeType: 'application/pdf', buffer: degree.pdf }),
    ]);
    assert.equal(await verdict(), 'valid');
    assert.ok(await page.locator('[data-check-status=passed]').count() >= 12, 'the PDF checks and the embedded credential\'s');
    await t.shot(page, 'verify-pdf');
  });

  await t.step('an uploaded SD-JWT VC file is valid', async () => {
    await page.goto(t.base + '/');
    await Promise.all([
      page.waitForURL('**/verify'),
      page.setInputFiles('#file', { name: 'degree.sd-jwt', mimeType: 'text/plain', buffer: Buffer.from(sdjwt.token) }),
    ]);
    assert.equal(await verdict(), 'valid');
    assert.match(await page.textContent('main'), /SD-JWT VC/);
  });

  await t.step('a file dropped on the drop zone is verified', async () => {
    await page.goto(t.base + '/');
    const dt = await page.evaluateHandle((tok) => {
      const d = new DataTransfer();
      d.items.add(new File([tok], 'degree.jwt', { type: 'application/jwt' }));
      return d;
    }, degree.token);
    await page.dispatchEvent('.drop', 'dragenter', { dataTransfer: dt });
    await Promise.all([page.waitForURL('**/verify'), page.dispatchEvent('.drop', 'drop', { dataTransfer: dt })]);
    assert.equal(await verdict(), 'valid');
  });

  await t.step('a power of attorney shows its chain of authority', async () => {
    const poa = await api.issue('dbd', 'DelegationCredential');
    await paste(poa.token);
    assert.equal(await verdict(), 'valid');
    const links = await page.locator('ol.chain.delegation li').allTextContents();
    assert.equal(links.length, 2);
    assert.match(links[0], /บริษัท สยามดิจิทัลเทรด จำกัด/);
    assert.match(links[1], /อรุณี/);
    await page.locator('#chain-h').scrollIntoViewIfNeeded();
    await t.shot(page, 'verify-delegation', { readme: true });
  });

  await t.step('a revoked credential is not valid, with the reason', async () => {
    await paste(revoked.token);
    assert.equal(await verdict(), 'invalid');
    assert.equal((await page.textContent('#verdict')).trim(), 'ไม่ถูกต้อง');
    const failed = page.locator('[data-check-status=failed]');
    assert.equal(await failed.count(), 1);
    assert.match(await failed.textContent(), /สถานะการเพิกถอน/);
    assert.match(await failed.textContent(), /ผู้ออกเอกสารได้เพิกถอนเอกสารนี้แล้ว/);
    await t.shot(page, 'verify-revoked', { readme: true });
  });

  await t.step('the language switch gives English and is remembered', async () => {
    await page.goto(t.base + '/');
    await Promise.all([page.waitForURL('**/?lang=en'), page.click('a.lang')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('h1')).trim(), 'Verify a digital credential');
    await page.goto(t.base + '/registry');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the cookie keeps English');
    await paste(revoked.token);
    assert.equal((await page.textContent('#verdict')).trim(), 'Not valid');
    assert.match(await page.locator('[data-check-status=failed]').textContent(), /The issuer has revoked this credential/);
    await paste(degree.token);
    assert.equal((await page.textContent('#verdict')).trim(), 'Valid');
    await t.shot(page, 'verify-valid-en', { readme: true });
    await Promise.all([page.waitForURL(/lang=th/), page.click('a.lang')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'th');
  });

  await t.step('a request for a presentation shows its QR code', async () => {
    await page.goto(t.base + '/?lang=en');
    await Promise.all([page.waitForURL('**/verify/requests/*'), page.click('form[action="/verify/requests"] button')]);
    const img = page.locator('.qr img');
    await img.waitFor();
    await page.waitForFunction(() => document.querySelector('.qr img').naturalWidth > 0);
    assert.match(await page.inputValue('#vp-uri'), /^openid4vp:\/\/\?client_id=/);
    assert.match(await page.textContent('#vp-status'), /Waiting for the holder/);
    await t.shot(page, 'verify-request', { readme: true });
    // The request belongs to this browser: another one does not see it.
    const other = await t.browser.newContext();
    const r = await other.request.get(page.url());
    assert.equal(r.status(), 404);
    await other.close();
  });

  await t.step('at a phone\'s width the result fits the screen', async () => {
    page = await t.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    await paste(degree.token);
    assert.equal(await verdict(), 'valid');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await t.shot(page, 'verify-phone', { readme: true, fullPage: false });
  });

  await t.step('paste and verify works without JavaScript', async () => {
    page = await t.newPage({ javaScriptEnabled: false });
    await paste(degree.token);
    assert.equal(await verdict(), 'valid');
  });
}
