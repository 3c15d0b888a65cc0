/** The whole differential corpus, with ids (marker owners) assigned in order. */
import { markers, type Case, type CaseSpec } from './case.js';
import { connectionCases } from './connection.js';
import { framingCases } from './framing.js';
import { messageCases } from './messages.js';
import { pathAndHeaderCases } from './paths.js';

export type { Case, Part } from './case.js';

export function buildCorpus(): Case[] {
  const specs: CaseSpec[] = [...framingCases(), ...connectionCases(), ...messageCases(), ...pathAndHeaderCases()];
  const names = new Set<string>();
  return specs.map((spec, id) => {
    if (names.has(spec.name)) throw new Error(`duplicate case name ${spec.name}`);
    names.add(spec.name);
    return { ...spec, id, send: spec.send(markers(id)) };
  });
}
