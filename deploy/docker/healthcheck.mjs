// The image's HEALTHCHECK: exit 0 when the part answers on its health URL, 1 otherwise (within 2 s).
//   gateway: GATEHOUSE_HEALTH_URL, default http://127.0.0.1:8404/healthz (the config's admin listener)
//   idp:     http://127.0.0.1:9011/.well-known/openid-configuration
//   echo:    http://127.0.0.1:9001/health
// The part is read from GATEHOUSE_PART (gateway, idp, echo); GATEHOUSE_HEALTH_URL overrides the URL.
const defaults = {
  gateway: 'http://127.0.0.1:8404/healthz',
  idp: `http://127.0.0.1:${process.env.GATEHOUSE_IDP_PORT ?? 9011}/.well-known/openid-configuration`,
  echo: `http://127.0.0.1:${process.env.GATEHOUSE_ECHO_PORT ?? 9001}/health`,
};
const url = process.env.GATEHOUSE_HEALTH_URL ?? defaults[process.env.GATEHOUSE_PART ?? 'gateway'];
if (url === undefined) {
  console.error(`healthcheck: unknown GATEHOUSE_PART "${process.env.GATEHOUSE_PART}"`);
  process.exit(1);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  process.exit(0);
} catch (error) {
  console.error(`healthcheck: ${url}: ${error.cause?.code ?? error.message}`);
  process.exit(1);
}
