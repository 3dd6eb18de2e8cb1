import { DataSource } from 'typeorm';

/** A node of PostgreSQL's EXPLAIN (FORMAT JSON) plan, as far as the plan tests read it. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The plan's nodes, flattened (root first). */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** EXPLAINs `text` with `params` and returns its nodes; SHOW_PLANS=1 prints the plan. */
export async function explain(dataSource: DataSource, text: string, params: unknown[]): Promise<PlanNode[]> {
  const [row]: Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }> = await dataSource.query(`EXPLAIN (FORMAT JSON) ${text}`, params);
  if (process.env.SHOW_PLANS) console.log(JSON.stringify(row['QUERY PLAN'][0].Plan, null, 1));
  return planNodes(row['QUERY PLAN'][0].Plan);
}

export const nodesOn = (relation: string, all: PlanNode[]): PlanNode[] => all.filter((node) => node['Relation Name'] === relation);
