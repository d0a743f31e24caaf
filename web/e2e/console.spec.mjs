// The issuer console: sign in with the demo client's token, issue a
// degree from the form generated from its schema, find it in the list,
// revoke it, download its PDF (which then verifies as revoked), see a
// refused input at its field, and offer a credential to the web wallet
// as a QR code.
import { PHONE } from './lib.mjs';
import { readFile } from 'node:fs/promises';

export default async function (t) {
  const { assert, api } = t;
  // Some history in the university's list: a transcript, a suspended
  // and a revoked degree (issued through the API before the form's).
  await api.issue('university', 'TranscriptCredential');
  const suspended = await api.issue('university', 'DegreeCredential', { format: 'dc+sd-jwt' });
  await api.setStatus('university', suspended.id, 'suspend');
  const revoked = await api.issue('university', 'DegreeCredential');
  await api.setStatus('university', revoked.id, 'revoke');
  let page = await t.newPage();
  // Pages answered with a 4xx status (the sign-in page of a signed-out
  // request, a refused form) are expected here; Chromium logs them as
  // console errors, which the harness would count as the page's.
  const expectHTTPErrors = () => {
    t.jsErrors = t.jsErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(e));
  };
  const signIn = async () => {
    await page.goto(t.base + '/console');
    await page.fill('#token', t.token);
    await Promise.all([page.waitForURL((u) => u.pathname === '/console'), page.click('form[action="/console/login"] button[type=submit]')]);
  };
  const fillExample = async () => {
    await page.goto(t.base + '/console/issuers/university/issue/DegreeCredential');
    await Promise.all([page.waitForURL(/example=1/), page.click('#fill-example')]);
  };

  await t.step('the console asks for a client token first', async () => {
    await page.goto(t.base + '/console/issuers/university');
    assert.equal(await page.locator('#token').count(), 1);
    await page.goto(t.base + '/console');
    assert.equal((await page.textContent('h1')).trim(), 'เข้าสู่ระบบผู้ออกเอกสาร');
    await page.fill('#token', 'not-the-token-0123456789');
    await page.click('form[action="/console/login"] button[type=submit]');
    assert.match(await page.textContent('.notice.bad'), /โทเคนไม่ถูกต้อง/);
    await t.shot(page, 'console-login');
    expectHTTPErrors();
  });

  await t.step('signed in, it lists the issuers and their types', async () => {
    await signIn();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'console_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Strict', 'an HttpOnly, SameSite=Strict session cookie');
    assert.ok(!JSON.stringify(cookies).includes(t.token), 'the token is in a cookie');
    assert.ok(!(await page.content()).includes(t.token), 'the token is in the page');
    assert.ok(await page.locator('section.issuer').count() >= 4, "the demo's four issuers");
    assert.equal(await page.locator('a[href="/console/issuers/university/issue/DegreeCredential"]').count(), 1);
    await t.shot(page, 'console', { readme: true });
  });

  let recordURL;
  await t.step('issue a degree from the form', async () => {
    await fillExample();
    const given = '#f\\.credentialSubject\\.student\\.name\\.en\\.given';
    assert.equal(await page.inputValue(given), 'Nattawut');
    await page.fill(given, 'Somchai');
    await page.fill('#f\\.credentialSubject\\.student\\.name\\.th\\.given', 'สมชาย');
    await page.selectOption('#f\\.credentialSubject\\.award\\.honours', 'first_class');
    await page.evaluate(() => window.scrollTo(0, 0));
    await t.shot(page, 'console-issue', { readme: true, fullPage: false });
    await Promise.all([page.waitForURL(/\/credentials\/.*\?issued=1/), page.click('#issue')]);
    recordURL = page.url().replace(/\?.*$/, '');
    assert.equal(await page.getAttribute('#status', 'data-status'), 'valid');
    assert.equal(await page.locator('#download-pdf').count(), 1);
    await t.shot(page, 'console-issued');
  });

  await t.step('it appears in the list of issued credentials', async () => {
    await page.goto(t.base + '/console/issuers/university');
    const row = page.locator('#records tbody tr').first();
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'valid');
    assert.match(await row.textContent(), /ปริญญาบัตร/);
    assert.deepEqual(await page.locator('#records [data-status]').evaluateAll((els) => els.slice(1, 4).map((e) => e.dataset.status)), ['revoked', 'suspended', 'valid']);
    await t.shot(page, 'console-records', { readme: true });
    await Promise.all([page.waitForURL(recordURL), row.locator('a').click()]);
  });

  await t.step('revoke, after confirming', async () => {
    // The browser does not send the form until the box is ticked.
    await page.click('#revoke');
    assert.equal(await page.getAttribute('#status', 'data-status'), 'valid');
    await page.check('#revoke-confirm');
    await Promise.all([page.waitForURL(/changed=revoke/), page.click('#revoke')]);
    assert.equal(await page.getAttribute('#status', 'data-status'), 'revoked');
    assert.equal(await page.locator('#revoke').count(), 0, 'a revoked credential offers no more changes');
    await t.shot(page, 'console-revoked', { readme: true });
    await page.goto(t.base + '/console/issuers/university');
    assert.equal(await page.locator('#records tbody tr').first().locator('[data-status]').getAttribute('data-status'), 'revoked');
  });

  await t.step('the PDF downloads, and verifies as revoked', async () => {
    await page.goto(recordURL);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
    assert.match(dl.suggestedFilename(), /^DegreeCredential-[0-9a-f-]+\.pdf$/);
    const pdf = await readFile(await dl.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    // The verifier portal: the PDF is signed, and the degree in it is
    // revoked; it carries the edited name.
    const check = await t.newPage();
    await check.goto(t.base + '/?lang=en');
    await Promise.all([check.waitForURL('**/verify'), check.setInputFiles('#file', { name: 'degree.pdf', mimeType: 'application/pdf', buffer: pdf })]);
    assert.equal(await check.getAttribute('[data-verdict]', 'data-verdict'), 'invalid');
    assert.match(await check.locator('[data-check-status=failed]').first().textContent(), /revoked/);
    assert.match(await check.textContent('main'), /Somchai/);
    await check.context().close();
  });

  await t.step('a refused input is shown at its field', async () => {
    await fillExample();
    await page.fill('#f\\.credentialSubject\\.student\\.pid', '1103701234564');
    await page.fill('#f\\.credentialSubject\\.summary\\.gpax', 'three');
    await page.click('#issue');
    await page.locator('#problems').waitFor();
    assert.match(await page.textContent('#problems'), /ต้องเป็นตัวเลข/);
    assert.equal(await page.getAttribute('#f\\.credentialSubject\\.summary\\.gpax', 'aria-invalid'), 'true');
    await page.fill('#f\\.credentialSubject\\.summary\\.gpax', '3.42');
    await page.click('#issue');
    await page.locator('#problems').waitFor();
    assert.match(await page.textContent('#problems'), /หลักตรวจสอบไม่ตรง/);
    assert.equal(await page.getAttribute('#f\\.credentialSubject\\.student\\.pid', 'aria-invalid'), 'true');
    await page.evaluate(() => window.scrollTo(0, 0));
    await t.shot(page, 'console-error', { readme: true, fullPage: false });
    expectHTTPErrors();
  });

  await t.step('an offer for a wallet, as a QR code, is received by the web wallet', async () => {
    await fillExample();
    await page.check('input[name=format][value="dc+sd-jwt"]');
    await Promise.all([page.waitForURL('**/issue/DegreeCredential'), page.click('#offer')]);
    await page.waitForFunction(() => document.querySelector('#offer-qr').naturalWidth > 0);
    const uri = await page.inputValue('#offer-uri');
    assert.match(uri, /^openid-credential-offer:\/\/\?credential_offer_uri=/);
    await t.shot(page, 'console-offer', { readme: true });
    await Promise.all([page.waitForURL('**/wallet/receive?offer_uri=*'), page.click('#open-wallet')]);
    assert.equal(await page.inputValue('#offer_uri'), uri);
    await Promise.all([page.waitForURL('**/wallet/receive'), page.click('#resolve-offer')]);
    await Promise.all([page.waitForURL('**/wallet/cards/*'), page.click('#accept-offer')]);
    assert.equal(await page.getAttribute('#card-status', 'data-verified'), 'true');
  });

  await t.step('the form works at a phone\'s width and without JavaScript', async () => {
    page = await t.newPage({ viewport: PHONE, isMobile: true, hasTouch: true, javaScriptEnabled: false });
    await signIn();
    await fillExample();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    // Rows are added on the server.
    await page.goto(t.base + '/console/issuers/university/issue/TranscriptCredential?example=1');
    const before = await page.locator('fieldset[id^="f.credentialSubject.terms."]').count();
    await page.click('button[name=_add][value="/credentialSubject/terms"]');
    await page.waitForLoadState();
    assert.ok(await page.locator('fieldset[id^="f.credentialSubject.terms."]').count() > before, 'a term was added');
  });

  await t.step('every form control has a label; sign out ends the session', async () => {
    page = await t.newPage();
    await signIn();
    await fillExample();
    const unlabelled = await page.$$eval('input:not([type=hidden]), textarea, select', (els) =>
      els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.closest('[aria-hidden=true]')).map((e) => e.id || e.name));
    assert.deepEqual(unlabelled, []);
    await page.goto(t.base + '/console');
    await Promise.all([page.waitForURL('**/console'), page.click('form.signout button')]);
    assert.equal(await page.locator('#token').count(), 1);
    await page.goto(recordURL);
    assert.equal(await page.locator('#token').count(), 1);
    expectHTTPErrors();
  });
}
