export { Http2Request } from './request.js';
export { Http2Response } from './response.js';
export { serveStream, type RequestListener } from './streams.js';
