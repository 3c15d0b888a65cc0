/** The sample echo service: what `gatehouse echo` runs and what `gatehouse up` puts behind the gateway. */
export { startEcho, type EchoOptions, type EchoServer } from './server.js';
export { describeRequest, isClaimHeader, maskCredential, type EchoedRequest } from './describe.js';
export { chooseFormat, renderJson, renderText, type EchoFormat } from './render.js';
