/** `gatehouse up`: the seed's whole system in one command. */
export { parseUpOptions, UP_HELP, UP_DEFAULTS, type UpOptions } from './options.js';
export { startUp, runUp, publicHost, dialHost, startKind, type UpHandle } from './run.js';
export { lockDataDir, lockPath, type DataDirLock } from './lock.js';
export { checkPortsFree, portInUseError, type PortClaim } from './ports.js';
export { buildDemoKickstart, type KickstartDocument } from './kickstart.js';
export { readDemoState, type DemoState } from './demo-state.js';
export { dataPaths, type DataPaths } from './data-dir.js';
export { renderWalkthrough, loginCurl } from './walkthrough.js';
