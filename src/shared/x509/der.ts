/** Byte plumbing between node:crypto's Buffers and the ArrayBuffers the ASN.1 schemas take. */
import { randomBytes } from 'node:crypto';

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** 16 random bytes, positive and without a leading zero byte (so DER keeps all 16). */
export function randomSerialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}
