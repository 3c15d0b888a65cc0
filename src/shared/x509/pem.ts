/** PEM armour: base64 in 64-character lines between BEGIN/END lines, and back. */
export function derToPem(der: Buffer, label: 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER of one PEM block: every BEGIN/END line and all whitespace removed, the rest base64-decoded. */
export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
