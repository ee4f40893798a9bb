// `dag`: the instance graph as text, Mermaid or Graphviz dot.
import type { DagNode } from './dag.ts';

export type DagFormat = 'text' | 'mermaid' | 'dot';

export function formatDag(nodes: readonly DagNode[], format: DagFormat): string {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const edges = nodes.flatMap((n) => [...new Set(n.upstream())].filter((u) => index.has(u)).map((u) => [u, n] as const));
  switch (format) {
    case 'text':
      return nodes
        .map((n) => {
          const ups = [...new Set(n.upstream())];
          return ups.length ? `${n.id}\n${ups.map((u) => `    ← ${u.id}`).join('\n')}` : n.id;
        })
        .join('\n');
    case 'mermaid':
      return [
        'graph LR',
        ...nodes.map((n) => `  n${index.get(n)}["${n.id.replace(/"/g, '#quot;')}"]`),
        ...edges.map(([u, n]) => `  n${index.get(u)} --> n${index.get(n)}`),
      ].join('\n');
    case 'dot':
      return [
        'digraph pipeline {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="Helvetica"];',
        ...nodes.map((n) => `  n${index.get(n)} [label=${JSON.stringify(n.id)}];`),
        ...edges.map(([u, n]) => `  n${index.get(u)} -> n${index.get(n)};`),
        '}',
      ].join('\n');
  }
}
