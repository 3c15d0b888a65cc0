export { admit } from './pipeline.js';
export { GatewayRequest, type ForwardState } from './gateway-request.js';
export { ANSWERED, NEXT, type Outcome, type Stage, type Step } from './stage.js';
export { upgradeRefusal } from './upgrade-rules.js';
