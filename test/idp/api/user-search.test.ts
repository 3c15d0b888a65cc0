/**
 * User search (`/api/user/search`, FusionAuth's database engine) through the official client, on SQLite
 * and PostgreSQL: by ids, by a one-term queryString (wildcards, case-insensitive, across names, email and
 * username), sorted and paged; Elasticsearch-only `query` and a multi-word term are refused, naming them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { ENGINES, startIdpOn } from '../engines.js';

for (const engine of ENGINES) {
  test(`${engine}: user search by ids and by queryString, sorted and paged`, async (t) => {
    const idp = await startIdpOn(t, engine, { passwordHashing: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
    if (idp === undefined) return;
    try {
      const people = [
        { email: 'richard@piedpiper.com', firstName: 'Richard', lastName: 'Hendricks', username: 'richard' },
        { email: 'dinesh@piedpiper.com', firstName: 'Dinesh', lastName: 'Chugtai' },
        { email: 'gavin@hooli.com', firstName: 'Gavin', lastName: 'Belson', username: 'gbelson' },
        { email: 'erlich@aviato.com', fullName: 'Erlich Bachman' },
      ];
      const ids: string[] = [];
      for (const user of people) ids.push((await idp.api('POST', '/api/user', { user: { ...user, password: 'password123' } })).body.user.id);
      const client = new FusionAuthClient(idp.adminKey, idp.url);
      const emails = (r: { response: { users?: { email?: string }[] } }) => r.response.users!.map((u) => u.email);

      const byIds = await client.searchUsersByIds([ids[0]!, ids[2]!]);
      assert.equal(byIds.response.total, 2);
      assert.deepEqual(new Set(emails(byIds)), new Set(['richard@piedpiper.com', 'gavin@hooli.com']));
      assert.equal((await client.searchUsers([ids[3]!])).response.users![0]!.email, 'erlich@aviato.com');

      const piper = await client.searchUsersByQueryString({ search: { queryString: '*piedpiper.com', sortFields: [{ name: 'email', order: 'desc' as never }] } });
      assert.deepEqual(emails(piper), ['richard@piedpiper.com', 'dinesh@piedpiper.com']);
      assert.deepEqual(emails(await client.searchUsersByQueryString({ search: { queryString: 'BELSON' } })), ['gavin@hooli.com'], 'case-insensitive, by last name');
      assert.deepEqual(emails(await client.searchUsersByQueryString({ search: { queryString: 'bachman' } })), ['erlich@aviato.com'], 'contained in the full name');
      assert.deepEqual(emails(await client.searchUsersByQuery({ search: { queryString: 'gbel*' } })), ['gavin@hooli.com'], 'by username');

      const all = await client.searchUsersByQueryString({ search: { queryString: '*', sortFields: [{ name: 'email' }], startRow: 1, numberOfResults: 2 } });
      assert.equal(all.response.total, 4);
      assert.deepEqual(emails(all), ['erlich@aviato.com', 'gavin@hooli.com']);
      const viaGet = await fetch(`${idp.url}/api/user/search?queryString=*&sortFields%5B0%5D.name=email&sortFields%5B0%5D.order=desc&numberOfResults=1`, { headers: { authorization: idp.adminKey } });
      assert.deepEqual(((await viaGet.json()) as { users: { email: string }[] }).users.map((u) => u.email), ['richard@piedpiper.com']);

      const es = await idp.api('POST', '/api/user/search', { search: { query: '{"match_all":{}}' } });
      assert.equal(es.status, 400);
      assert.equal(es.body.fieldErrors['search.query'][0].code, '[notImplemented]search.query');
      assert.equal((await idp.api('POST', '/api/user/search', { search: { queryString: 'two words' } })).body.fieldErrors['search.queryString'][0].code, '[invalid]search.queryString');
      assert.equal((await idp.api('POST', '/api/user/search', { search: { queryString: '*', sortFields: [{ name: 'password' }] } })).status, 400);
      assert.equal((await fetch(`${idp.url}/api/user/search?queryString=*`)).status, 401, 'an API key is needed');
    } finally {
      await idp.close();
    }
  });
}
