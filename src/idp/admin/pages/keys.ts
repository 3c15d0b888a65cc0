/**
 * Key Master: the list (name, algorithm, kid), a key's page with its PEM public key and certificate and a
 * copy button (what the seed copies into pubkey.pem), generating and importing keys, deleting unused ones.
 */
import type { FormErrors } from '../api.js';
import { copyable, csrfField, errorSummary, formatInstant, input, MAGNIFIER, select, textarea, type FieldRef } from '../components.js';
import { confirmPage } from '../confirm.js';
import { flashOf } from '../readable.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { numberOrText, byId } from '../lookups.js';
import { field, takeFlash, type AdminRequest, type Router } from '../router.js';
import type { Key } from '../../model/types.js';

const ALGORITHMS: [string, string][] = [
  ['RS256', 'RSA using SHA-256 (RS256)'],
  ['RS384', 'RSA using SHA-384 (RS384)'],
  ['RS512', 'RSA using SHA-512 (RS512)'],
  ['ES256', 'ECDSA using P-256 and SHA-256 (ES256)'],
  ['ES384', 'ECDSA using P-384 and SHA-384 (ES384)'],
  ['ES512', 'ECDSA using P-521 and SHA-512 (ES512)'],
  ['Ed25519', 'EdDSA using Ed25519'],
  ['HS256', 'HMAC using SHA-256 (HS256)'],
  ['HS384', 'HMAC using SHA-384 (HS384)'],
  ['HS512', 'HMAC using SHA-512 (HS512)'],
];

const IMPORT_FIELDS: Record<string, FieldRef> = {
  'key.name': ['import-name', 'Name'],
  'key.kid': ['import-kid', 'Key id (kid)'],
  'key.algorithm': ['import-algorithm', 'Algorithm'],
  'key.publicKey': ['import-public', 'Public key (PEM)'],
  'key.certificate': ['import-certificate', 'Certificate (PEM)'],
  'key.privateKey': ['import-private', 'Private key (PEM)'],
  'key.secret': ['import-secret', 'HMAC secret (base64)'],
};

const find = (r: AdminRequest): Promise<Key | undefined> => byId(r.scope.ctx.storage.keys, r.params.id);

export function registerKeyPages(router: Router): void {
  router.page('/keys', async ({ session, scope }) => {
    const list = await scope.ctx.storage.keys.find();
    return page({
      title: 'Key Master',
      section: 'keys',
      session,
      flash: takeFlash(session),
      body: html`<h1>Key Master</h1>
<div class="actions"><a class="button" href="/admin/keys/generate">Generate key</a> <a class="button secondary" href="/admin/keys/import">Import key</a></div>
<div class="table-wrap"><table class="stack"><caption>${list.length} key${list.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Algorithm</th><th scope="col">kid</th><th scope="col">Action</th></tr></thead>
<tbody>${list.map(
        (k) => html`<tr><td data-label="Name">${k.name}</td><td data-label="Algorithm">${k.algorithm}</td><td data-label="kid" class="id"><code>${k.kid}</code></td>
<td><a class="button secondary" href="/admin/keys/${k.id}" aria-label="View key ${k.name}">${MAGNIFIER}View</a></td></tr>`,
      )}</tbody></table></div>`,
    });
  });

  const generatePage = (r: AdminRequest, values: { name: string; algorithm: string; length: string; issuer: string }, errors?: FormErrors) =>
    page({
      title: 'Generate key',
      section: 'keys',
      session: r.session,
      body: html`<h1>Generate key</h1>
${errorSummary(errors, { 'key.name': ['key-name', 'Name'], 'key.algorithm': ['key-algorithm', 'Algorithm'], 'key.length': ['key-length', 'Key length (RSA)'] })}
<form method="post" action="/admin/keys/generate" class="card">${csrfField(r.session.csrf)}
${input({ name: 'name', label: 'Name', value: values.name, required: true, id: 'key-name', errorKey: 'key.name', errors })}
${select({ name: 'algorithm', label: 'Algorithm', options: ALGORITHMS, value: values.algorithm, id: 'key-algorithm', errorKey: 'key.algorithm', errors })}
${select({ name: 'length', label: 'Key length (RSA)', options: [['2048', '2048 bits'], ['3072', '3072 bits'], ['4096', '4096 bits']], value: values.length, id: 'key-length', errorKey: 'key.length', errors })}
${input({ name: 'issuer', label: 'Certificate issuer', value: values.issuer, id: 'key-issuer', hint: 'Optional; the default tenant\u2019s issuer when empty.' })}
<div class="actions"><button type="submit">Generate</button> <a href="/admin/keys">Cancel</a></div></form>`,
    });

  router.page('/keys/generate', async (r) => generatePage(r, { name: '', algorithm: 'RS256', length: '2048', issuer: '' }));
  router.action('/keys/generate', async (r) => {
    const values = { name: field(r.form, 'name'), algorithm: field(r.form, 'algorithm'), length: field(r.form, 'length'), issuer: field(r.form, 'issuer') };
    const rsa = values.algorithm.startsWith('RS');
    const result = await r.scope.api.call('POST', '/api/key/generate', {
      key: { name: values.name, algorithm: values.algorithm, ...(rsa ? { length: numberOrText(values.length) } : {}), ...(values.issuer === '' ? {} : { issuer: values.issuer }) },
    });
    if (result.errors !== undefined) return { status: 400, page: generatePage(r, values, result.errors) };
    return { redirect: `/admin/keys/${result.body.key.id}`, flash: `Generated key ${values.name}.` };
  });

  type ImportValues = { name: string; kid: string; publicKey: string; certificate: string; privateKey: string; secret: string; algorithm: string };
  const importPage = (r: AdminRequest, values: ImportValues, errors?: FormErrors) =>
    page({
      title: 'Import key',
      section: 'keys',
      session: r.session,
      body: html`<h1>Import key</h1>
${errorSummary(errors, IMPORT_FIELDS)}
<form method="post" action="/admin/keys/import" class="card">${csrfField(r.session.csrf)}
${input({ name: 'name', label: 'Name', value: values.name, required: true, id: 'import-name', errorKey: 'key.name', errors })}
${input({ name: 'kid', label: 'Key id (kid)', value: values.kid, id: 'import-kid', hint: 'Optional; derived from the certificate or the public key when empty.', errorKey: 'key.kid', errors })}
${select({ name: 'algorithm', label: 'Algorithm', options: [['', 'Detect from the key'], ...ALGORITHMS], value: values.algorithm, id: 'import-algorithm', errorKey: 'key.algorithm', errors })}
${textarea({ name: 'publicKey', label: 'Public key (PEM)', value: values.publicKey, rows: 6, mono: true, id: 'import-public', errorKey: 'key.publicKey', errors })}
${textarea({ name: 'certificate', label: 'Certificate (PEM)', value: values.certificate, rows: 6, mono: true, id: 'import-certificate', errorKey: 'key.certificate', errors })}
${textarea({ name: 'privateKey', label: 'Private key (PEM)', rows: 6, mono: true, id: 'import-private', hint: 'Optional; needed to sign tokens. It is stored and never shown again.', errorKey: 'key.privateKey', errors })}
${input({ name: 'secret', label: 'HMAC secret (base64)', type: 'password', id: 'import-secret', autocomplete: 'off', errorKey: 'key.secret', errors })}
<div class="actions"><button type="submit">Import</button> <a href="/admin/keys">Cancel</a></div></form>`,
    });

  router.page('/keys/import', async (r) => importPage(r, { name: '', kid: '', publicKey: '', certificate: '', privateKey: '', secret: '', algorithm: '' }));
  router.action('/keys/import', async (r) => {
    const text = (name: string) => (typeof r.form[name] === 'string' ? (r.form[name] as string).trim() : '');
    const values: ImportValues = { name: field(r.form, 'name'), kid: field(r.form, 'kid'), publicKey: text('publicKey'), certificate: text('certificate'), privateKey: text('privateKey'), secret: text('secret'), algorithm: field(r.form, 'algorithm') };
    const key: Record<string, string> = { name: values.name };
    for (const name of ['kid', 'publicKey', 'certificate', 'privateKey', 'secret', 'algorithm'] as const) if (values[name] !== '') key[name] = values[name];
    const result = await r.scope.api.call('POST', '/api/key/import', { key });
    // the private key and the secret are never sent back into the page
    if (result.errors !== undefined) return { status: 400, page: importPage(r, { ...values, privateKey: '', secret: '' }, result.errors) };
    return { redirect: `/admin/keys/${result.body.key.id}`, flash: `Imported key ${values.name}.` };
  });

  router.page('/keys/:id', async (r) => {
    const key = await find(r);
    if (key === undefined) return { redirect: '/admin/keys', flash: 'That key does not exist.' };
    const info = (key.certificateInformation ?? {}) as Record<string, unknown>;
    return page({
      title: key.name,
      section: 'keys',
      session: r.session,
      flash: takeFlash(r.session),
      body: html`<h1><span class="subject">${key.name}</span></h1>
<p class="hint">A key in Key Master: ${key.algorithm}, ${key.type === 'HMAC' ? 'a shared secret' : key.hasPrivateKey ? 'signs tokens' : 'verifies tokens only'}.</p>
<section class="card"><dl class="props">
<dt>Id</dt><dd><code>${key.id}</code></dd>
<dt>Algorithm</dt><dd>${key.algorithm}</dd>
<dt>Type</dt><dd>${key.type}${key.length === undefined ? '' : ` (${key.length} bits)`}</dd>
<dt>kid</dt><dd><code>${key.kid}</code></dd>
${key.issuer === undefined ? '' : html`<dt>Issuer</dt><dd>${key.issuer}</dd>`}
<dt>Private key</dt><dd>${key.type === 'HMAC' ? 'secret stored, never shown' : key.hasPrivateKey ? 'stored, never shown' : 'none (verification only)'}</dd>
${info.validTo === undefined ? '' : html`<dt>Certificate valid</dt><dd>${formatInstant(Number(info.validFrom))} to ${formatInstant(Number(info.validTo))}</dd>`}
</dl></section>
${key.publicKey === undefined ? html`<p class="card">An HMAC key has no public key: a gateway needs the shared secret, which is never shown.</p>` : html`<section class="card"><h2>Public Key</h2>${copyable('PEM encoded', key.publicKey, { multiline: true, id: 'public-key' })}</section>`}
${key.certificate === undefined ? '' : html`<section class="card"><h2>Certificate</h2>${copyable('PEM encoded certificate', key.certificate, { multiline: true, id: 'certificate' })}</section>`}
<div class="actions"><a class="button secondary" href="/admin/keys/${key.id}/delete">Delete key…</a></div>`,
    });
  });

  router.page('/keys/:id/delete', async (r) => {
    const key = await find(r);
    if (key === undefined) return { redirect: '/admin/keys', flash: 'That key does not exist.' };
    return confirmPage(r, {
      section: 'keys',
      what: 'key',
      name: key.name,
      consequences: html`<p>This permanently deletes the key${key.hasPrivateKey || key.type === 'HMAC' ? ', including its private part' : ''}. Tokens it signed no longer verify at gateways that read the identity provider's JWKS, and a gateway with a copy of its public key (<code>pubkey.pem</code>) keeps accepting them until it is changed. A key a tenant or an application signs with cannot be deleted.</p>`,
      action: `/admin/keys/${key.id}/delete`,
      cancel: `/admin/keys/${key.id}`,
    });
  });

  router.action('/keys/:id/delete', async (r) => {
    const key = await find(r);
    if (key === undefined) return { redirect: '/admin/keys', flash: 'That key does not exist.' };
    const result = await r.scope.api.call('DELETE', `/api/key/${key.id}`);
    if (result.errors !== undefined) return { redirect: `/admin/keys/${key.id}`, flash: flashOf(result.errors) };
    return { redirect: '/admin/keys', flash: `Deleted key ${key.name}.` };
  });
}
