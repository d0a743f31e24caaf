// The web wallet: receive from offers made through the API, the cards,
// a card with its claims, an employer's OpenID4VP request answered after
// the consent page (the employer gets only what it asked for), the
// disclosure history, English, a phone's width, no JavaScript.
import { PHONE } from './lib.mjs';

// What the demo employer asks for: the degree's name and the student ID
// (selectively disclosable), nothing else.
const employerQuery = {
  credentials: [{
    id: 'degree', format: 'dc+sd-jwt',
    meta: { vct_values: ['https://thaitrust.example/vct/DegreeCredential'] },
    claims: [{ path: ['award', 'name'] }, { path: ['student', 'studentId'] }],
  }],
};

export default async function (t) {
  const { assert, api } = t;
  const offer = async (issuer, type, format) =>
    (await api.call('POST', `/issuers/${issuer}/offers`, { credential: await api.example(type), format })).offer_uri;

  let page = await t.newPage();
  const noOverflow = async () => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  };
  const receive = async (uri) => {
    await page.goto(t.base + '/wallet/receive');
    await page.fill('#offer_uri', uri);
    await Promise.all([page.waitForURL('**/wallet/receive'), page.click('#resolve-offer')]);
    await Promise.all([page.waitForURL('**/wallet/cards/*'), page.click('#accept-offer')]);
  };

  // Other specs (the console's offer) may have put cards in the demo
  // wallet already: count from what is there.
  let before = 0;
  await t.step('the wallet opens in Thai', async () => {
    await page.goto(t.base + '/wallet');
    assert.equal(await page.getAttribute('html', 'lang'), 'th');
    assert.equal((await page.textContent('h1')).trim(), 'กระเป๋าเอกสารดิจิทัล');
    before = await page.locator('#cards a.wcard').count();
    if (before === 0) assert.match(await page.textContent('.card.empty'), /ยังไม่มีเอกสารในกระเป๋า/);
  });

  await t.step('an offer shows who offers what before anything is received', async () => {
    await page.goto(t.base + '/wallet/receive');
    await page.fill('#offer_uri', await offer('university', 'DegreeCredential', 'dc+sd-jwt'));
    await Promise.all([page.waitForURL('**/wallet/receive'), page.click('#resolve-offer')]);
    assert.match(await page.textContent('#offer-h'), /มหาวิทยาลัยสยามดิจิทัล/);
    assert.match(await page.textContent('ul.offered'), /ปริญญาบัตร|Degree/);
    await t.shot(page, 'wallet-offer');
  });

  await t.step('accepting stores the card, checked valid', async () => {
    await Promise.all([page.waitForURL('**/wallet/cards/*'), page.click('#accept-offer')]);
    assert.equal(await page.getAttribute('#card-status', 'data-verified'), 'true');
    const claims = await page.textContent('#claims-h + p + dl, #claims-h ~ dl');
    assert.match(claims, /วิศวกรรมศาสตรบัณฑิต/);
    assert.match(claims, /6230123421/);
    await t.shot(page, 'wallet-card', { readme: true });
  });

  await t.step('more cards: a citizen ID and a transcript (vc+jwt)', async () => {
    await receive(await offer('dopa', 'ThaiCitizenCredential', 'dc+sd-jwt'));
    await receive(await offer('university', 'TranscriptCredential', 'vc+jwt'));
    await page.goto(t.base + '/wallet');
    assert.equal(await page.locator('#cards a.wcard').count(), before + 3);
    await t.shot(page, 'wallet', { readme: true });
  });

  let requestID;
  await t.step('the consent page lists exactly what would leave, and to whom', async () => {
    const r = await api.call('POST', '/verifier/requests', {
      dcql_query: employerQuery, purpose: { th: 'ตรวจสอบวุฒิการศึกษาของผู้สมัครงาน', en: 'Check a job applicant\'s degree' },
    });
    requestID = r.id;
    await page.goto(t.base + '/wallet/present');
    await page.fill('#request_uri', r.request_uri);
    await Promise.all([page.waitForURL('**/wallet/present/*'), page.click('#resolve-request')]);
    assert.match(await page.textContent('#consent-h'), /บริษัท สยามนายจ้าง จำกัด/);
    assert.match(await page.textContent('#verifier-did'), /^did:web:127\.0\.0\.1%3A\d+:verifiers:employer$/);
    assert.match(await page.textContent('.purpose'), /ตรวจสอบวุฒิการศึกษาของผู้สมัครงาน/);
    const asked = await page.textContent('#disclosed-degree');
    assert.match(asked, /6230123421/, 'the student ID, asked for');
    for (const secret of ['1103701234563', '2001-01-09', 'ณัฐวุฒิ']) {
      assert.ok(!asked.includes(secret), `the consent would disclose ${secret}`);
    }
    await t.shot(page, 'wallet-consent', { readme: true });
  });

  await t.step('sharing sends only the claims asked for', async () => {
    await Promise.all([page.waitForURL('**/confirm'), page.click('#share')]);
    assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'sent');
    await t.shot(page, 'wallet-sent');
    const v = await api.call('GET', `/verifier/requests/${requestID}`);
    assert.equal(v.status, 'answered');
    assert.equal(v.result.verified, true);
    assert.deepEqual(v.result.credentials.degree[0].claims, {
      award: { name: { th: 'วิศวกรรมศาสตรบัณฑิต', en: 'Bachelor of Engineering' } },
      student: { studentId: '6230123421' },
    });
    const raw = JSON.stringify(v);
    for (const secret of ['1103701234563', 'Nattawut', '2001-01-09']) {
      assert.ok(!raw.includes(secret), `the employer holds ${secret}`);
    }
  });

  await t.step('the history says who received what, without values', async () => {
    await page.goto(t.base + '/wallet/history');
    const entry = page.locator('#history li').first();
    assert.equal(await entry.getAttribute('data-outcome'), 'sent');
    const text = await entry.textContent();
    assert.match(text, /บริษัท สยามนายจ้าง จำกัด/);
    assert.match(text, /รหัสนักศึกษา/);
    assert.ok(!text.includes('6230123421'), 'the history holds a value');
    await t.shot(page, 'wallet-history', { readme: true });
  });

  await t.step('in English', async () => {
    await page.goto(t.base + '/wallet');
    await Promise.all([page.waitForURL(/lang=en/), page.click('a.lang')]);
    assert.equal((await page.textContent('h1')).trim(), 'Digital wallet');
    await page.locator('#cards a.wcard[data-type=DegreeCredential]').first().click();
    assert.match(await page.textContent('#card-status'), /Checked: valid/);
    assert.match(await page.textContent('main'), /Bachelor of Engineering/);
    await t.shot(page, 'wallet-card-en');
    await Promise.all([page.waitForURL(/lang=th/), page.click('a.lang')]);
  });

  await t.step('at a phone\'s width the cards and the consent fit the screen', async () => {
    page = await t.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    await page.goto(t.base + '/wallet');
    await noOverflow();
    await t.shot(page, 'wallet-phone', { readme: true });
    const r = await api.call('POST', '/verifier/requests', { dcql_query: employerQuery });
    await page.goto(t.base + '/wallet/present?request_uri=' + encodeURIComponent(r.request_uri));
    await Promise.all([page.waitForURL('**/wallet/present/*'), page.click('#resolve-request')]);
    await noOverflow();
    await t.shot(page, 'wallet-consent-phone');
  });

  await t.step('receive and present work without JavaScript', async () => {
    page = await t.newPage({ javaScriptEnabled: false });
    await receive(await offer('university', 'DegreeCredential', 'dc+sd-jwt'));
    assert.equal(await page.getAttribute('#card-status', 'data-verified'), 'true');
    const r = await api.call('POST', '/verifier/requests', { dcql_query: employerQuery });
    await page.goto(t.base + '/wallet/present?request_uri=' + encodeURIComponent(r.request_uri));
    await Promise.all([page.waitForURL('**/wallet/present/*'), page.click('#resolve-request')]);
    // Two degrees (at least) now: the consent offers a choice.
    assert.ok(await page.locator('.choose input[type=radio]').count() >= 2);
    await Promise.all([page.waitForURL('**/confirm'), page.click('#share')]);
    assert.equal(await page.getAttribute('#outcome', 'data-outcome'), 'sent');
  });

  await t.step('every form control has a label', async () => {
    for (const p of ['/wallet', '/wallet/receive', '/wallet/present', '/wallet/history']) {
      await page.goto(t.base + p);
      const unlabelled = await page.$$eval('input:not([type=hidden]), textarea, select', (els) =>
        els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id || e.name));
      assert.deepEqual(unlabelled, [], p);
    }
  });
}
