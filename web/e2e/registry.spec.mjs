// The registry browser: the list, search, an entity's page with its
// chain of trust and history, and the signed trust list's download.
import { readFile } from 'node:fs/promises';

export default async function (t) {
  const { assert, api } = t;
  // Give the university's accreditation some history: suspended for an
  // audit, then reinstated.
  const uni = await api.call('GET', '/registry/entities/university');
  const acc = uni.accreditations.find((a) => a.scope.credential_types.includes('DegreeCredential'));
  assert.ok(acc, 'the university is accredited for degrees');
  await api.call('POST', `/registry/admin/accreditations/${encodeURIComponent(acc.id)}/status`, { status: 'suspended', reason: 'annual quality audit overdue' });
  await api.call('POST', `/registry/admin/accreditations/${encodeURIComponent(acc.id)}/status`, { status: 'active', reason: 'audit report received' });

  const page = await t.newPage();

  await t.step('the registry lists the scheme\'s organisations', async () => {
    await page.goto(t.base + '/registry?lang=en');
    assert.equal((await page.textContent('h1')).trim(), 'Trust registry');
    assert.ok(await page.locator('li.entity').count() >= 7);
    assert.match(await page.locator('li.entity').first().textContent(), /ETDA/);
    await t.shot(page, 'registry', { readme: true });
  });

  await t.step('search by name and by credential type', async () => {
    await page.fill('#q', 'university');
    await Promise.all([page.waitForURL(/q=university/), page.click('form.search button[type=submit]')]);
    assert.equal(await page.locator('li.entity').count(), 1);
    assert.match(await page.textContent('li.entity'), /Siam Digital University/);
    await page.goto(t.base + '/registry');
    await page.selectOption('#type', 'DegreeCredential');
    await Promise.all([page.waitForURL(/type=DegreeCredential/), page.click('form.search button[type=submit]')]);
    const names = await page.locator('li.entity h3').allTextContents();
    assert.ok(names.some((n) => /Siam Digital University/.test(n)), names.join(', '));
    assert.ok(!names.some((n) => /ThaID/.test(n)), 'an identity provider is not accredited for degrees');
    await page.goto(t.base + '/registry?q=nothing-matches-this');
    assert.match(await page.textContent('main'), /No organisation matches/);
  });

  await t.step('an entity\'s page shows its chain of trust and its history', async () => {
    await page.goto(t.base + '/registry?q=university');
    await Promise.all([page.waitForURL('**/registry/entity/university'), page.click('li.entity h3 a')]);
    const chain = await page.locator('ol.chain li').allTextContents();
    assert.equal(chain.length, 3);
    assert.match(chain[0], /ETDA/);
    assert.match(chain[2], /Siam Digital University/);
    const events = await page.locator('ol.timeline li').allTextContents();
    assert.ok(events.length >= 4, events.join(' | '));
    assert.match(events[0], /Accreditation reinstated.*audit report received/s);
    assert.match(events[1], /Accreditation suspended.*annual quality audit overdue/s);
    await t.shot(page, 'registry-entity', { readme: true });
  });

  await t.step('the signed trust list downloads', async () => {
    await page.goto(t.base + '/registry');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('a[data-download=jwt]')]);
    assert.equal(dl.suggestedFilename(), 'thaitrust-trustlist.jwt');
    const file = await dl.path();
    const jws = (await readFile(file, 'utf8')).trim();
    const parts = jws.split('.');
    assert.equal(parts.length, 3);
    const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    assert.equal(header.typ, 'trustlist+jwt');
    const list = JSON.parse(Buffer.from(parts[1], 'base64url'));
    assert.ok(JSON.stringify(list).includes('university'));
  });
}
