/**
 * The certificate extensions Gatehouse writes, each with the criticality it always has: basicConstraints
 * and keyUsage critical, the others not.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';
import { generalName } from './names.js';
import { toArrayBuffer } from './der.js';

export type KeyUsageName = 'digitalSignature' | 'keyCertSign' | 'cRLSign';
export type ExtendedKeyUsageName = 'server' | 'client';

function extension(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** A CA (with a path length) or an end entity. */
export function basicConstraints(ca: { readonly pathLength: number } | false): Extension {
  const value = ca === false ? new BasicConstraints({ cA: false }) : new BasicConstraints({ cA: true, pathLenConstraint: ca.pathLength });
  return extension(id_ce_basicConstraints, true, value);
}

export function keyUsage(usages: readonly KeyUsageName[]): Extension {
  let flags = 0;
  for (const usage of usages) flags |= KeyUsageFlags[usage];
  return extension(id_ce_keyUsage, true, new KeyUsage(flags));
}

/** serverAuth and/or clientAuth, in the order given. */
export function extendedKeyUsage(usages: readonly ExtendedKeyUsageName[]): Extension {
  return extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(usages.map((u) => (u === 'server' ? id_kp_serverAuth : id_kp_clientAuth))));
}

export function subjectKeyIdentifier(keyId: Uint8Array): Extension {
  return extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(toArrayBuffer(keyId)));
}

export function authorityKeyIdentifier(issuerKeyId: Uint8Array): Extension {
  return extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(toArrayBuffer(issuerKeyId)) }));
}

/** DNS names and IP addresses, in the order given. */
export function subjectAltName(names: readonly string[]): Extension {
  return extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names.map(generalName)));
}
