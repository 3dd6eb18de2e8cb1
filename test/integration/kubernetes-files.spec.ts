import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { knownEnvironmentVariables, loadConfig } from '@app/config';

/**
 * No Kubernetes runs here, so docker/kubernetes/ is checked statically: every file kustomization.yaml lists
 * parses; the Deployments have probes on paths the API and the worker serve, resources and a disruption
 * budget; the autoscalers point at real Deployments; the environment is exactly what the config accepts.
 */
const root = join(__dirname, '../..');
const dir = join(root, 'docker/kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each kind's own spec
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const kustomization = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0].toJS() as { resources: string[]; images: Array<{ name: string }>; namespace: string };
const manifests: Manifest[] = kustomization.resources.flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => document.toJS() as Manifest));
const byKind = (kind: string): Manifest[] => manifests.filter((manifest) => manifest.kind === kind);
const named = (kind: string, name: string): Manifest => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const configMap = named('ConfigMap', 'hotline-config').data ?? {};
const exampleSecret = (parseAllDocuments(readFileSync(join(dir, 'secret.example.yaml'), 'utf8'))[0].toJS() as Manifest).stringData ?? {};

/** Paths the API answers without a token (libs/health) and the worker's metrics server answers. */
const API_PROBE_PATHS = ['/health', '/health/live'];
const WORKER_PROBE_PATHS = ['/metrics'];

describe('docker/kubernetes manifests', () => {
  it('lists files that exist and parse, in one namespace, with the images the Dockerfile builds', () => {
    for (const file of kustomization.resources) expect(existsSync(join(dir, file))).toBe(true);
    expect(kustomization.namespace).toBe('hotline');
    expect(kustomization.images.map((image) => image.name).sort()).toEqual(['hotline-api', 'hotline-worker']);
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    for (const target of ['api', 'worker']) expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${target}$`, 'm'));
  });

  it.each([
    ['hotline-api', 'hotline-api', API_PROBE_PATHS],
    ['hotline-worker', 'hotline-worker', WORKER_PROBE_PATHS],
  ])('%s: probes on served paths and named ports, resources, a rolling update that keeps capacity', (name, image, probePaths) => {
    const deployment = named('Deployment', name);
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [container] = pod.containers;
    expect(container.image).toBe(image);
    const portNames = (container.ports ?? []).map((port: { name: string }) => port.name);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(probePaths).toContain(container[probe].httpGet.path);
      expect(portNames).toContain(container[probe].httpGet.port);
    }
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('keeps liveness free of dependencies: the API is alive on /health/live, ready on /health', () => {
    const [container] = named('Deployment', 'hotline-api').spec.template.spec.containers;
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health');
    // The controller serves both (the e2e tests call them); a renamed route would leave pods never ready.
    const controller = readFileSync(join(root, 'libs/health/src/health.controller.ts'), 'utf8');
    expect(controller).toMatch(/@Controller\('health'\)/);
    expect(controller).toMatch(/@Get\('live'\)/);
  });

  it('gives the API longer to stop than its drain and its longest request', () => {
    const pod = named('Deployment', 'hotline-api').spec.template.spec;
    const drainSeconds = Number(configMap.SHUTDOWN_DRAIN_MS) / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds + 30);
  });

  it('has a disruption budget for each Deployment, selecting its pods', () => {
    for (const name of ['hotline-api', 'hotline-worker']) {
      const budget = named('PodDisruptionBudget', name);
      expect(budget.spec.minAvailable).toBeGreaterThanOrEqual(1);
      expect(budget.spec.selector.matchLabels).toEqual(named('Deployment', name).spec.template.metadata.labels);
    }
  });

  it('scales the API on CPU and the worker on CPU and on the task queue backlog', () => {
    const api = named('HorizontalPodAutoscaler', 'hotline-api');
    expect(api.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hotline-api' });
    expect(api.spec.metrics.map((metric: { type: string; resource?: { name: string } }) => metric.resource?.name)).toContain('cpu');
    const worker = named('ScaledObject', 'hotline-worker');
    expect(worker.spec.scaleTargetRef.name).toBe('hotline-worker');
    const triggers = worker.spec.triggers as Array<{ type: string; metadata: Record<string, string> }>;
    expect(triggers.map((trigger) => trigger.type).sort()).toEqual(['cpu', 'temporal']);
    const backlog = triggers.find((trigger) => trigger.type === 'temporal')!.metadata;
    expect(backlog.taskQueue).toBe(loadConfig({ ...configMap, ...exampleSecret }).temporal.taskQueue);
    expect(backlog.endpoint).toBe(configMap.TEMPORAL_ADDRESS);
    expect(backlog.namespace).toBe(configMap.TEMPORAL_NAMESPACE);
    expect(worker.spec.minReplicaCount).toBeGreaterThanOrEqual(named('PodDisruptionBudget', 'hotline-worker').spec.minAvailable + 1);
  });

  it('sets only variables the config knows, and the config accepts what the pods get', () => {
    const known = knownEnvironmentVariables();
    for (const deployment of byKind('Deployment')) {
      const [container] = deployment.spec.template.spec.containers;
      const own = Object.fromEntries((container.env ?? []).map((entry: { name: string; value: string }) => [entry.name, entry.value]));
      const environment = { ...configMap, ...exampleSecret, ...own };
      expect({ name: deployment.metadata.name, unknown: Object.keys(environment).filter((key) => !known.includes(key)) }).toEqual({ name: deployment.metadata.name, unknown: [] });
      const config = loadConfig(environment);
      expect(config.env).toBe('production');
      expect(config.temporal.address).toBe('temporal-frontend.temporal.svc.cluster.local:7233');
    }
    // The migration job runs the migration entry point of the API image.
    const job = named('Job', 'hotline-migrate');
    expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'dist/scripts/migrate.js']);
    expect(existsSync(join(root, 'scripts/migrate.ts'))).toBe(true);
  });
});
