/**
 * Checks an OCSP response before it is stapled (RFC 6960 §3.2, §4.2): status `successful`, a basic
 * response, signed by the issuer or by a responder certificate the issuer signed for id-kp-OCSPSigning
 * (valid now), a SingleResponse whose CertID is the served certificate's (serial, issuer name hash and
 * key hash), status `good`, thisUpdate not in the future (5 minutes of clock skew allowed) and nextUpdate
 * not passed. A response without nextUpdate ("newer information is always available") counts as expiring
 * 7 days after its thisUpdate, so nothing is stapled forever. Anything else is refused with a reason (a
 * metrics label; never the response's bytes).
 */
import { verify as verifySignature, type KeyObject, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, id_kp_OCSPSigning, id_pkix_ocsp_basic, OCSPResponse, OCSPResponseStatus, type SingleResponse } from '@peculiar/asn1-ocsp';
import { CERT_ID_HASHES, issuerHashes, type OcspTarget } from './target.js';

export type OcspRefusal =
  | 'malformed'
  | 'status'
  | 'not-basic'
  | 'signature'
  | 'cert-id'
  | 'revoked'
  | 'unknown'
  | 'not-yet-valid'
  | 'expired';

export interface VerifiedOcsp {
  readonly ok: true;
  readonly der: Buffer;
  readonly thisUpdate: number;
  /** The response's nextUpdate, or thisUpdate + NO_NEXT_UPDATE_MS when it has none. */
  readonly nextUpdate: number;
}

export type OcspVerdict = VerifiedOcsp | { readonly ok: false; readonly reason: OcspRefusal; readonly detail: string };

export const CLOCK_SKEW_MS = 5 * 60_000;
/** How long a response without nextUpdate is stapled after its thisUpdate. */
export const NO_NEXT_UPDATE_MS = 7 * 86_400_000;

/** X.509 signature algorithm OIDs → node:crypto's digest (null: Ed25519/Ed448). RSA-PSS is not taken. */
const SIGNATURES: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
  '1.3.101.113': null,
};

const refuse = (reason: OcspRefusal, detail: string): OcspVerdict => ({ ok: false, reason, detail });

function signedBy(basic: BasicOCSPResponse, key: KeyObject): boolean {
  const hash = SIGNATURES[basic.signatureAlgorithm.algorithm];
  if (hash === undefined || basic.tbsResponseDataRaw === undefined) return false;
  try {
    return verifySignature(hash, Buffer.from(basic.tbsResponseDataRaw), key, Buffer.from(basic.signature));
  } catch {
    return false; // a key of another type than the algorithm's
  }
}

/** The key that signed the response: the issuer's, or a delegated responder's the issuer signed for OCSP. */
function signer(basic: BasicOCSPResponse, target: OcspTarget, now: number): 'issuer' | 'delegated' | undefined {
  if (signedBy(basic, target.issuer.publicKey)) return 'issuer';
  for (const asn of basic.certs ?? []) {
    let responder: X509Certificate;
    try {
      responder = new X509Certificate(Buffer.from(AsnConvert.serialize(asn)));
    } catch {
      continue;
    }
    const delegated =
      responder.checkIssued(target.issuer) &&
      responder.verify(target.issuer.publicKey) &&
      (responder.keyUsage ?? []).includes(id_kp_OCSPSigning) &&
      Date.parse(responder.validFrom) <= now + CLOCK_SKEW_MS &&
      Date.parse(responder.validTo) > now;
    if (delegated && signedBy(basic, responder.publicKey)) return 'delegated';
  }
  return undefined;
}

function matches(single: SingleResponse, target: OcspTarget): boolean {
  const hash = CERT_ID_HASHES[single.certID.hashAlgorithm.algorithm];
  if (hash === undefined) return false;
  const expected = issuerHashes(target, hash);
  return (
    Buffer.from(single.certID.serialNumber).equals(target.serial) &&
    Buffer.from(single.certID.issuerNameHash.buffer).equals(expected.name) &&
    Buffer.from(single.certID.issuerKeyHash.buffer).equals(expected.key)
  );
}

export function verifyOcspResponse(der: Buffer, target: OcspTarget, now = Date.now()): OcspVerdict {
  let response: OCSPResponse;
  let basic: BasicOCSPResponse;
  try {
    response = AsnConvert.parse(der, OCSPResponse);
    if (response.responseStatus !== OCSPResponseStatus.successful) return refuse('status', `responder status ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}`);
    if (response.responseBytes?.responseType !== id_pkix_ocsp_basic) return refuse('not-basic', 'not a basic OCSP response');
    basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  } catch (error) {
    return refuse('malformed', `not an OCSP response (${(error as Error).message})`);
  }
  if (signer(basic, target, now) === undefined) return refuse('signature', 'not signed by the issuer or a responder it authorized (id-kp-OCSPSigning)');
  const single = basic.tbsResponseData.responses.find((r) => matches(r, target));
  if (single === undefined) return refuse('cert-id', 'about another certificate (no matching CertID)');
  if (single.certStatus.revoked !== undefined) return refuse('revoked', `revoked at ${single.certStatus.revoked.revocationTime.toISOString()}`);
  if (single.certStatus.good === undefined) return refuse('unknown', 'status unknown to the responder');
  const thisUpdate = single.thisUpdate.getTime();
  const nextUpdate = single.nextUpdate?.getTime() ?? thisUpdate + NO_NEXT_UPDATE_MS;
  if (thisUpdate > now + CLOCK_SKEW_MS) return refuse('not-yet-valid', `thisUpdate ${single.thisUpdate.toISOString()} is in the future`);
  if (nextUpdate <= now) return refuse('expired', `nextUpdate ${new Date(nextUpdate).toISOString()} has passed${single.nextUpdate === undefined ? ' (none set: 7 days after thisUpdate)' : ''}`);
  return { ok: true, der, thisUpdate, nextUpdate };
}
