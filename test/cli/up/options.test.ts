import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpOptions, UP_DEFAULTS } from '../../../src/cli/up/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';

test('no flags gives the documented defaults, the data directory resolved against the working directory', () => {
  const options = parseUpOptions([], '/srv/app');
  assert.deepEqual(options, {
    gatewayPort: 8080,
    idpPort: 9011,
    echoPort: 9001,
    dataDir: '/srv/app/data',
    workers: 1,
    host: '127.0.0.1',
  });
  assert.equal(UP_DEFAULTS.gatewayPort, 8080);
});

test('every flag is read', () => {
  const options = parseUpOptions(
    ['--gateway-port', '18080', '--idp-port', '19011', '--echo-port', '19001', '--data-dir', 'x/y', '--database', 'postgres://u@127.0.0.1:5432/test', '--workers', 'auto', '--host', '0.0.0.0'],
    '/tmp',
  );
  assert.deepEqual(options, {
    gatewayPort: 18080,
    idpPort: 19011,
    echoPort: 19001,
    dataDir: '/tmp/x/y',
    database: 'postgres://u@127.0.0.1:5432/test',
    workers: 'auto',
    host: '0.0.0.0',
  });
});

test('--database takes an SQLite file path too, resolved against the working directory', () => {
  assert.equal(parseUpOptions(['--database', 'db/idp.sqlite'], '/srv/app')?.database, '/srv/app/db/idp.sqlite');
  assert.equal(parseUpOptions(['--database', 'postgresql://u@h/d'], '/srv/app')?.database, 'postgresql://u@h/d');
});

test('--tls serves HTTPS on 8443 unless --https-port says otherwise; without --tls there is no HTTPS port', () => {
  assert.equal(parseUpOptions(['--tls'], '/work')?.httpsPort, 8443);
  assert.equal(parseUpOptions(['--tls', '--https-port', '9443'], '/work')?.httpsPort, 9443);
  assert.equal(parseUpOptions([], '/work')?.httpsPort, undefined);
});

test('--help returns undefined so the command prints the help', () => {
  assert.equal(parseUpOptions(['--help']), undefined);
  assert.equal(parseUpOptions(['-h']), undefined);
});

const refused: Array<[string[], RegExp]> = [
  [['--gateway-port', 'http'], /--gateway-port: expected a port number/],
  [['--idp-port', '65536'], /--idp-port: expected a port number/],
  [['--idp-port', '0'], /--idp-port: give a fixed port/],
  [['--echo-port', '-1'], /--echo-port/],
  [['--workers', '0'], /--workers: expected "auto" or a number/],
  [['--https-port', '8443'], /--https-port: only with --tls/],
  [['--tls', '--https-port', '0'], /--https-port: give a fixed port/],
  [['--tls', '--https-port', 'x'], /--https-port: expected a port number/],
  [['--workers', 'many'], /--workers/],
  [['--workers', '2', '--gateway-port', '0'], /--gateway-port: give a fixed port when --workers is not 1/],
  [['--database', 'mysql://x'], /--database: expected a postgres:\/\/ URL or an SQLite file path/],
  [['--database', ''], /--database: expected a postgres:\/\/ URL or an SQLite file path/],
  [['--data-dir', ' '], /--data-dir: expected a directory path/],
  [['--colour'], /Unknown option '--colour'.*gatehouse up --help/],
  [['extra'], /gatehouse up --help/],
];

for (const [argv, message] of refused) {
  test(`refuses ${argv.join(' ')} with a usage error naming the flag`, () => {
    assert.throws(
      () => parseUpOptions(argv),
      (error: unknown) => isGatehouseError(error, 'ERR_USAGE') && message.test(error.message),
    );
  });
}
