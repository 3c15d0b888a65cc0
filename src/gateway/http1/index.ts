export { Http1Server, type Http1ServerOptions, DEFAULT_MAX_HEADER_FIELDS } from './server.js';
export { Http1Request } from './request.js';
export { Http1Response } from './response.js';
export type { ClientRequest, ClientResponse } from './client-message.js';
export { nativeParserAvailable, nativeParserMissing } from './native.js';
export { transferEncodingStatus, TE_OK } from './transfer-encoding.js';
