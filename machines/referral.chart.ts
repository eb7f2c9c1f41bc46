/**
 * The lifecycle as a graph, read from the machine's own definition: its lifecycle states and,
 * between them, the events that move a case. The console draws the statechart from this, so the
 * picture cannot drift from the machine. Pure: no I/O.
 */
import type { AnyStateNode } from 'xstate';
import { LIFECYCLE_STATES, type LifecycleState } from './referral.types.ts';
import { REFERRAL_MACHINE_VERSION } from './referral.machine.ts';
import { machineFor } from './referral.ts';

export interface ChartEdge {
  from: LifecycleState;
  to: LifecycleState;
  events: string[];
}

export interface Chart {
  states: readonly LifecycleState[];
  edges: ChartEdge[];
}

const isLifecycle = (key: string): key is LifecycleState => (LIFECYCLE_STATES as readonly string[]).includes(key);

/** A target state entered as its initial leaf (`assessing` is entered at `triage`). */
function leafOf(node: AnyStateNode): AnyStateNode {
  let current = node;
  while (current.type === 'compound' && current.initial?.target?.[0]) current = current.initial.target[0];
  return current;
}

function leaves(node: AnyStateNode): AnyStateNode[] {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return [node];
  return children.flatMap(leaves);
}

/** The lifecycle graph of a machine version (the current one by default). */
export function lifecycleChart(version: string = REFERRAL_MACHINE_VERSION): Chart {
  const machine = machineFor(version);
  const byPair = new Map<string, ChartEdge>();
  const phase = machine.root.states.open?.states.phase ?? machine.root.states.open;
  const sources = [...leaves(phase ?? machine.root)].filter((n) => isLifecycle(n.key));
  for (const source of sources) {
    // Transitions of the state and of its ancestors (WITHDRAW on `open` moves every open state).
    for (let node: AnyStateNode | undefined = source; node; node = node.parent) {
      for (const [event, transitions] of node.transitions) {
        for (const t of transitions) {
          for (const target of t.target ?? []) {
            const leaf = leafOf(target as AnyStateNode);
            if (!isLifecycle(leaf.key) || leaf.key === source.key) continue;
            const key = `${source.key}>${leaf.key}`;
            const edge = byPair.get(key) ?? { from: source.key as LifecycleState, to: leaf.key, events: [] };
            if (!edge.events.includes(event)) edge.events.push(event);
            byPair.set(key, edge);
          }
        }
      }
    }
  }
  return { states: LIFECYCLE_STATES, edges: [...byPair.values()] };
}
