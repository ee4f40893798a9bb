// The engine's public surface for pipeline files. Stage modules import ./stage.ts only.
export { Dag, type Handle, type DagNode } from './dag.ts';
export { defineStage, type StageDefinition, type RunContext, type Upstream, type Resources } from './stage.ts';
export { runCli, type PipelineDefinition, type PipelineOption } from './cli.ts';
export { UsageError } from './errors.ts';
export type { BuildSummary, InstanceOutcome } from './reporter.ts';
export type { Project } from './project.ts';
export { exitAfterGrace } from './interrupt.ts';
