/** Distinguished names (a single common name) and subjectAltName entries (a DNS name or an IP address). */
import { isIP } from 'node:net';
import { AttributeTypeAndValue, AttributeValue, GeneralName, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';

const COMMON_NAME = '2.5.4.3';

/** `CN=<value>`, the value a UTF8String. */
export function commonName(value: string): Name {
  const attribute = new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: value }) });
  return new Name([new RelativeDistinguishedName([attribute])]);
}

/** An iPAddress entry for an IPv4 or IPv6 address, a dNSName entry for anything else. */
export function generalName(name: string): GeneralName {
  return isIP(name) !== 0 ? new GeneralName({ iPAddress: name }) : new GeneralName({ dNSName: name });
}
