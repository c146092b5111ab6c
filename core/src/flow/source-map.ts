import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type YamlPath = readonly (string | number)[];

/** Finds the line and column of a path in a parsed flow file, or of its nearest existing parent. */
export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the value at `path`; with `key`, of the last key itself. */
  at(path: YamlPath, which: 'key' | 'value' = 'value'): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
        if (!pair) break;
        const keyOffset = (pair.key as Node | null)?.range?.[0];
        if (i === path.length - 1 && which === 'key' && keyOffset !== undefined) return this.lines.linePos(keyOffset);
        node = pair.value;
        offset = (pair.value as Node | null)?.range?.[0] ?? keyOffset ?? offset;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        node = node.items[segment];
        offset = (node as Node).range?.[0] ?? offset;
      } else {
        break;
      }
    }
    return this.lines.linePos(offset);
  }
}
