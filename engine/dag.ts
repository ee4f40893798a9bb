// The experiment as a graph of stage instances. Pipelines call `dag.add(stage, params, deps)`
// for each instance (it returns a typed handle to pass as another instance's dependency) and
// `dag.group(name, handles)` for named targets such as `figures`.
import type { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { UsageError } from './errors.ts';
import { checkInstanceId } from './instance-id.ts';
import { parseAssignment, setAtPath } from './key-path.ts';
import type { DepKind, DepSpec, StageDefinition } from './stage.ts';
import { formatZodIssues } from './zod-errors.ts';
import { sha256, short } from './digest.ts';

export class DagNode {
  /** stable readable name, e.g. `train/small,seed=0`; set by Dag.finalize() */
  id = '';
  constructor(
    readonly serial: number,
    readonly stage: StageDefinition,
    /** validated params; replaced only by Dag.override() */
    public params: unknown,
    readonly deps: Record<string, DagNode | DagNode[] | undefined>,
    readonly label: string | undefined,
  ) {}

  upstream(): DagNode[] {
    const out: DagNode[] = [];
    for (const name of Object.keys(this.deps).sort()) {
      const d = this.deps[name];
      if (Array.isArray(d)) out.push(...d);
      else if (d) out.push(d);
    }
    return out;
  }
}

export interface Handle<Stage extends StageDefinition = StageDefinition> {
  readonly node: DagNode;
  readonly stage: Stage;
}

type HandleFor<K extends DepKind> = K extends 'many' ? Handle[] : Handle;
export type DepHandles<D extends DepSpec> = {
  [K in keyof D as D[K] extends 'optional' ? never : K]: HandleFor<D[K]>;
} & {
  [K in keyof D as D[K] extends 'optional' ? K : never]?: Handle | undefined;
};

export interface AddOptions {
  /** overrides the derived label part of the instance id */
  label?: string;
}

export class Dag {
  private readonly byKey = new Map<string, DagNode>();
  private readonly nodeList: DagNode[] = [];
  private readonly groups = new Map<string, DagNode[]>();
  private finalized = false;

  add<S extends z.ZodType, D extends DepSpec>(
    stage: StageDefinition<S, D>,
    params: z.input<S>,
    ...rest: keyof D extends never ? [deps?: DepHandles<D>, options?: AddOptions] : [deps: DepHandles<D>, options?: AddOptions]
  ): Handle<StageDefinition<S, D>> {
    if (this.finalized) throw new Error('Dag.add() after the DAG was finalized');
    const [deps, options] = rest;
    const parsed = stage.params.safeParse(params);
    if (!parsed.success) {
      throw new UsageError(
        `Invalid params for stage "${stage.name}" (${canonicalJson(params).slice(0, 200)}):\n${formatZodIssues(parsed.error, 'params')}\n` +
          `Fix the value in pipeline.ts, or in the --config file / --set option that set it.`,
      );
    }
    const depNodes = this.checkDeps(stage, (deps ?? {}) as Record<string, Handle | Handle[] | undefined>);
    const key = `${stage.name}\0${canonicalJson(parsed.data)}\0${canonicalJson(
      Object.fromEntries(Object.entries(depNodes).map(([k, v]) => [k, Array.isArray(v) ? v.map((n) => n.serial) : (v?.serial ?? null)])),
    )}\0${options?.label ?? ''}`;
    let node = this.byKey.get(key);
    if (!node) {
      node = new DagNode(this.nodeList.length, stage as unknown as StageDefinition, parsed.data, depNodes, options?.label);
      this.byKey.set(key, node);
      this.nodeList.push(node);
    }
    return { node, stage };
  }

  group(name: string, handles: Handle[]): void {
    if (this.groups.has(name)) throw new Error(`Group "${name}" is declared twice`);
    this.groups.set(
      name,
      handles.map((h) => h.node),
    );
  }

  /** Assign instance ids. Called once, after every add(). */
  finalize(): this {
    if (this.finalized) return this;
    this.finalized = true;
    const byStage = new Map<string, DagNode[]>();
    for (const n of this.nodeList) {
      const list = byStage.get(n.stage.name) ?? [];
      list.push(n);
      byStage.set(n.stage.name, list);
    }
    const modules = new Map<string, string>();
    for (const [name, nodes] of byStage) {
      const moduleUrl = nodes[0]!.stage.moduleUrl;
      const clash = modules.get(name);
      if (clash && clash !== moduleUrl) throw new Error(`Two different stages are named "${name}" (${clash} and ${moduleUrl})`);
      modules.set(name, moduleUrl);
      assignIds(name, nodes);
    }
    const seen = new Map<string, DagNode>();
    for (const n of this.nodeList) {
      const prev = seen.get(n.id);
      if (prev) {
        n.id = `${n.id}~${short(sha256(canonicalJson(n.upstream().map((u) => u.id))))}`;
      }
      seen.set(n.id, n);
      checkInstanceId(n.id, n.stage.name);
    }
    for (const name of this.groups.keys()) {
      if (byStage.has(name)) throw new Error(`Group "${name}" has the same name as a stage; rename one of them`);
    }
    return this;
  }

  /**
   * Change one param of existing instances without renaming them (`--override`), e.g.
   * `train/small,seed=0:optimizer.lr=0.03`. The value is JSON when it parses, else a string;
   * the result is validated by the stage's schema.
   */
  override(spec: string): DagNode[] {
    if (!this.finalized) throw new Error('Dag.override() before finalize()');
    const colon = spec.indexOf(':');
    const eq = spec.indexOf('=', colon);
    if (colon <= 0 || eq <= colon + 1)
      throw new UsageError(
        `--override "${spec}" must look like INSTANCE:key.path=value, e.g. 'train/small,seed=0:optimizer.lr=0.03' (\`dag\` lists the instances).`,
      );
    const target = spec.slice(0, colon);
    const { path, value } = parseAssignment(spec.slice(colon + 1), `--override ${spec}`);
    const nodes = this.select([target]);
    for (const node of nodes) {
      const next = structuredClone(node.params) as Record<string, unknown>;
      setAtPath(next, path, value, false, (key) => `--override ${spec}: ${node.id} has no object param "${key}".`);
      const parsed = node.stage.params.safeParse(next);
      if (!parsed.success)
        throw new UsageError(`--override ${spec} makes the params of ${node.id} invalid:\n${formatZodIssues(parsed.error, 'params')}`);
      node.params = parsed.data;
    }
    return nodes;
  }

  nodes(): readonly DagNode[] {
    return this.nodeList;
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** The instances named by targets (groups, stage names, instance ids or `*` patterns), plus everything they depend on. */
  closure(targets: string[]): DagNode[] {
    const roots = this.select(targets);
    const out = new Set<DagNode>();
    const visit = (n: DagNode) => {
      if (out.has(n)) return;
      for (const u of n.upstream()) visit(u);
      out.add(n); // post-order: dependencies first
    };
    roots.forEach(visit);
    return [...out];
  }

  /** The instances named by targets, without their dependencies. */
  select(targets: string[]): DagNode[] {
    const picked = new Set<DagNode>();
    for (const t of targets) {
      const matches = this.match(t);
      if (matches.length === 0) {
        const names = [...this.groups.keys(), ...new Set(this.nodeList.map((n) => n.stage.name))];
        throw new UsageError(
          `Unknown target "${t}". Targets are groups (${[...this.groups.keys()].join(', ') || 'none'}), stage names ` +
            `(${[...new Set(this.nodeList.map((n) => n.stage.name))].join(', ')}), instance ids (see \`dag\`), or patterns with *. ` +
            `Did you mean ${closest(t, names) ?? 'one of those'}?`,
        );
      }
      matches.forEach((m) => picked.add(m));
    }
    return [...picked];
  }

  private match(target: string): DagNode[] {
    const group = this.groups.get(target);
    if (group) return group;
    const exact = this.nodeList.filter((n) => n.id === target);
    if (exact.length) return exact;
    const byStage = this.nodeList.filter((n) => n.stage.name === target);
    if (byStage.length) return byStage;
    if (target.includes('*')) {
      const re = new RegExp(`^${target.split('*').map(escapeRegExp).join('.*')}$`);
      return this.nodeList.filter((n) => re.test(n.id));
    }
    return [];
  }

  private checkDeps(stage: StageDefinition<z.ZodType, DepSpec>, deps: Record<string, Handle | Handle[] | undefined>) {
    const spec = stage.deps;
    const out: Record<string, DagNode | DagNode[] | undefined> = {};
    for (const name of Object.keys(deps)) {
      if (!(name in spec))
        throw new UsageError(
          `Stage "${stage.name}" has no dependency named "${name}" (it declares: ${Object.keys(spec).join(', ') || 'none'}).`,
        );
    }
    for (const [name, kind] of Object.entries(spec)) {
      const d = deps[name];
      if (kind === 'many') {
        if (!Array.isArray(d)) throw new UsageError(`Stage "${stage.name}": dependency "${name}" must be a list of handles.`);
        out[name] = d.map((h) => h.node);
      } else if (d === undefined) {
        if (kind === 'one') throw new UsageError(`Stage "${stage.name}": dependency "${name}" is required.`);
        out[name] = undefined;
      } else {
        if (Array.isArray(d)) throw new UsageError(`Stage "${stage.name}": dependency "${name}" takes one handle, not a list.`);
        out[name] = d.node;
      }
    }
    return out;
  }
}

function assignIds(stageName: string, nodes: DagNode[]): void {
  if (nodes.length === 1 && nodes[0]!.label === undefined && !nodes[0]!.stage.label) {
    nodes[0]!.id = stageName;
    return;
  }
  const flat = nodes.map((n) => flatten(n.params));
  const keys = new Set(flat.flatMap((f) => [...f.keys()]));
  const varying = [...keys].filter((k) => new Set(flat.map((f) => f.get(k) ?? '∅')).size > 1);
  nodes.forEach((n, i) => {
    const label = n.label ?? n.stage.label?.(n.params) ?? varying.map((k) => `${k}=${flat[i]!.get(k) ?? '∅'}`).join(',');
    n.id = label ? `${stageName}/${label}` : stageName;
  });
}

function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(2, word.length / 3) ? `"${best}"` : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
