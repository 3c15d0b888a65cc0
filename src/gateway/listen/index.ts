export { FrontendListener } from './frontend-listener.js';
export { checkHost, hostName, parseTarget, type Target } from './request-target.js';
export { handleClientError, statusForClientError } from './client-error.js';
export { sendLocal, sendRawAndClose, MESSAGES } from './local-response.js';
