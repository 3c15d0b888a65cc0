/**
 * A translation as gatehouse.yaml text, each key commented with the haproxy.cfg line it came from
 * (`gatehouse convert`). Loading the output gives the same config as loading the .cfg.
 */
import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { HaproxyTranslation } from './translate.js';

export function translationToYaml(translation: HaproxyTranslation, file: string): string {
  const doc = new Document(translation.config);
  const comments = new Map<Node, string[]>();
  for (const { path, where } of translation.sources) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    let node: unknown;
    if (isMap(parent)) node = parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key;
    else if (isSeq(parent) && typeof last === 'number') node = parent.items[last];
    if (node === undefined || node === null) continue;
    const list = comments.get(node as Node) ?? [];
    if (!list.includes(where)) list.push(where);
    comments.set(node as Node, list);
  }
  for (const [node, list] of comments) node.commentBefore = list.map((w) => ` ${w.replace(/\n/g, ' ')}`).join('\n');
  const header = [`# gatehouse.yaml converted from ${file} by \`gatehouse convert\` (docs/haproxy.md)`, ...translation.warnings.map((w) => `# WARNING: ${w}`)];
  return `${header.join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}
