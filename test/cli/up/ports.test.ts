import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { checkPortsFree } from '../../../src/cli/up/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

test('free ports pass, and each is released again for the part that will bind it', async () => {
  const { server, port } = await listen();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await checkPortsFree([{ what: 'gateway', host: '127.0.0.1', port, flag: '--gateway-port' }]);
  const again = createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(port, '127.0.0.1', resolve);
  });
  again.close();
});

test('a port in use is named with what wanted it and the flag that changes it', async () => {
  const { server, port } = await listen();
  try {
    await assert.rejects(
      checkPortsFree([
        { what: 'identity provider', host: '127.0.0.1', port: 0, flag: '--idp-port' },
        { what: 'gateway', host: '127.0.0.1', port, flag: '--gateway-port' },
      ]),
      (error: unknown) =>
        isGatehouseError(error, 'ERR_PORT_IN_USE') &&
        error.message === `port ${port} (gateway) is already in use on 127.0.0.1; stop what uses it or choose another port with --gateway-port <port>`,
    );
  } finally {
    server.close();
  }
});

test('under npm start the message says how to pass the flag through npm', async () => {
  const { server, port } = await listen();
  const before = process.env.npm_lifecycle_event;
  process.env.npm_lifecycle_event = 'start';
  try {
    await assert.rejects(
      checkPortsFree([{ what: 'gateway', host: '127.0.0.1', port, flag: '--gateway-port' }]),
      (error: unknown) => isGatehouseError(error, 'ERR_PORT_IN_USE') && error.message.endsWith('(with npm: npm start -- --gateway-port <port>)'),
    );
  } finally {
    if (before === undefined) delete process.env.npm_lifecycle_event;
    else process.env.npm_lifecycle_event = before;
    server.close();
  }
});

test('the same port asked for twice is refused before anything binds', async () => {
  await assert.rejects(
    checkPortsFree([
      { what: 'echo service', host: '127.0.0.1', port: 47_001, flag: '--echo-port' },
      { what: 'gateway', host: '127.0.0.1', port: 47_001, flag: '--gateway-port' },
    ]),
    /port 47001 is asked for twice \(--echo-port and --gateway-port\)/,
  );
});

test('every busy port is named at once, with its part and flag', async () => {
  const a = await listen();
  const b = await listen();
  try {
    await assert.rejects(
      checkPortsFree([
        { what: 'identity provider', host: '127.0.0.1', port: a.port, flag: '--idp-port' },
        { what: 'echo service', host: '127.0.0.1', port: 0, flag: '--echo-port' },
        { what: 'gateway', host: '127.0.0.1', port: b.port, flag: '--gateway-port' },
      ]),
      (error: unknown) =>
        isGatehouseError(error, 'ERR_PORT_IN_USE') &&
        error.message === `ports ${a.port} (identity provider, --idp-port), ${b.port} (gateway, --gateway-port) are already in use on 127.0.0.1; stop what uses them or choose other ports with those flags`,
    );
  } finally {
    a.server.close();
    b.server.close();
  }
});
