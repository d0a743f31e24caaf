// The portal's OpenID4VP request answered from the web wallet: the
// portal shows the QR code, the holder shares from the wallet (in another
// browser), and the portal's page, polling, turns into the result with
// the claims asked for.
export default async function (t) {
  const { assert, api } = t;
  const portal = await t.newPage();
  await portal.goto(t.base + '/?lang=en');
  await Promise.all([portal.waitForURL('**/verify/requests/*'), portal.click('form[action="/verify/requests"] button')]);
  const requestURI = await portal.inputValue('#vp-uri');

  // The holder, on their own device.
  const wallet = await (await t.browser.newContext()).newPage();
  t.page = wallet;

  await t.step('the holder receives a degree and shares it with the portal\'s request', async () => {
    const offer = await api.call('POST', '/issuers/university/offers', { credential: await api.example('DegreeCredential'), format: 'dc+sd-jwt' });
    await wallet.goto(t.base + '/wallet/receive');
    await wallet.fill('#offer_uri', offer.offer_uri);
    await Promise.all([wallet.waitForURL('**/wallet/receive'), wallet.click('#resolve-offer')]);
    await Promise.all([wallet.waitForURL('**/wallet/cards/*'), wallet.click('#accept-offer')]);
    await wallet.goto(t.base + '/wallet/present');
    await wallet.fill('#request_uri', requestURI);
    await Promise.all([wallet.waitForURL('**/wallet/present/*'), wallet.click('#resolve-request')]);
    assert.match(await wallet.textContent('#consent-h'), /สยามนายจ้าง/);
    await Promise.all([wallet.waitForURL('**/confirm'), wallet.click('#share')]);
    assert.equal(await wallet.getAttribute('#outcome', 'data-outcome'), 'sent');
  });

  t.page = portal;
  await t.step('the portal\'s page turns into the result by itself', async () => {
    // site.js polls the request's status and loads the result page.
    const h = portal.locator('[data-verdict]');
    await h.waitFor({ timeout: 30000 });
    assert.equal(await h.getAttribute('data-verdict'), 'valid');
    const main = await portal.textContent('main');
    for (const want of ['Bachelor of Engineering', 'Than Thong University', 'Mr. Nattawut Chaimongkol', 'Siam Digital University', 'Check a job applicant']) {
      assert.ok(main.includes(want), `the result lacks ${want}`);
    }
    assert.ok(!main.includes('1103701234563'), 'the result shows the national ID, which was not asked for');
    await t.shot(portal, 'verify-request-result', { readme: true });
  });
  await wallet.context().close();
}
