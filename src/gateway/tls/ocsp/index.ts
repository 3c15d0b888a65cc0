export { OcspStapler, NO_OCSP_OBSERVER, type OcspObserver, type StaplerContext } from './stapler.js';
export { ocspShare, OcspShare, type WireOcsp } from './share.js';
export { ocspTarget, ocspRequest, aiaOcspUrl, mustStaple, pemCertificates, type OcspTarget } from './target.js';
export { verifyOcspResponse, CLOCK_SKEW_MS, type OcspRefusal, type OcspVerdict, type VerifiedOcsp } from './verify.js';
export { fetchOcsp } from './fetch.js';
