// Validates rendered Kubernetes manifests offline (`kubectl kustomize DIR | node validate.mjs`):
// every object against the Kubernetes JSON schemas (npm kubernetes-models), the two
// CloudNativePG kinds against a few structural checks of our own, and the whole render against
// Mailroom's policy: probes on long-running containers, non-root, read-only root filesystem,
// no privilege escalation, all capabilities dropped, requests and limits, no `latest` or
// untagged images, grace period covering the drain, a PDB for every Deployment, an HPA for
// every front end, a headless store Service, a NetworkPolicy guarding the store, and (with
// --production) no placeholder secrets.
// Exit status 0 when everything passes; 1 with one line per problem otherwise.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const production = process.argv.includes("--production");
const problems = [];
const problem = (object, message) =>
  problems.push(`${object?.kind ?? "?"}/${object?.metadata?.name ?? "?"}: ${message}`);

const documents = parseAllDocuments(readFileSync(0, "utf8"));
const objects = [];
for (const doc of documents) {
  if (doc.errors.length > 0) {
    problems.push(`YAML: ${doc.errors[0].message}`);
    continue;
  }
  const object = doc.toJS();
  if (object !== null) objects.push(object);
}
if (objects.length === 0) problems.push("no objects rendered");

// --- schema validation -------------------------------------------------------------------
const crdChecks = {
  "postgresql.cnpg.io/v1/Cluster": (o) => {
    if (!Number.isInteger(o.spec?.instances) || o.spec.instances < 1)
      problem(o, "spec.instances must be a positive integer");
    if (!o.spec?.storage?.size) problem(o, "spec.storage.size missing");
    if (o.spec?.imageName && !/:[^:/]+$/.test(o.spec.imageName)) problem(o, "imageName untagged");
  },
  "postgresql.cnpg.io/v1/Pooler": (o) => {
    const cluster = o.spec?.cluster?.name;
    if (!objects.some((c) => c.kind === "Cluster" && c.metadata?.name === cluster))
      problem(o, `spec.cluster.name ${cluster} is not a rendered Cluster`);
    if (!["rw", "ro"].includes(o.spec?.type)) problem(o, "spec.type must be rw or ro");
    if (o.spec?.pgbouncer?.poolMode !== "transaction")
      problem(o, "the store needs pgbouncer poolMode transaction");
  },
};

for (const object of objects) {
  const { apiVersion, kind } = object;
  if (!apiVersion || !kind || !object.metadata?.name) {
    problem(object, "apiVersion, kind and metadata.name are required");
    continue;
  }
  const crd = crdChecks[`${apiVersion}/${kind}`];
  if (crd) {
    crd(object);
    continue;
  }
  let module;
  try {
    module = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    problem(object, `unknown apiVersion ${apiVersion}`);
    continue;
  }
  const Model = module[kind];
  if (!Model) {
    problem(object, `unknown kind ${kind} in ${apiVersion}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problem(object, `schema: ${String(error.message ?? error).split("\n").slice(0, 3).join(" ")}`);
  }
}

// --- policy ------------------------------------------------------------------------------
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v) &&
  (selector?.matchExpressions ?? []).every((e) =>
    e.operator === "In" ? e.values.includes(labels?.[e.key]) :
    e.operator === "Exists" ? e.key in (labels ?? {}) : true);
const drainSeconds = Math.max(
  0, ...byKind("ConfigMap").map((c) => Number(c.data?.MAILROOM_DRAIN_SECONDS ?? 0)));

function checkImage(object, image) {
  if (!image) return problem(object, "container without image");
  if (image.includes("@sha256:")) return;
  const tag = /:([^:/]+)$/.exec(image)?.[1];
  if (!tag) problem(object, `image ${image} has no tag`);
  else if (tag === "latest") problem(object, `image ${image} uses the latest tag`);
}

function checkPod(object, pod, longRunning) {
  const podSecurity = pod.securityContext ?? {};
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `container ${c.name}`;
    const security = c.securityContext ?? {};
    checkImage(object, c.image);
    if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true)
      problem(object, `${where}: runAsNonRoot is not set`);
    if ((security.runAsUser ?? podSecurity.runAsUser) === 0)
      problem(object, `${where}: runs as uid 0`);
    if (security.readOnlyRootFilesystem !== true)
      problem(object, `${where}: root filesystem is writable`);
    if (security.allowPrivilegeEscalation !== false)
      problem(object, `${where}: allowPrivilegeEscalation is not false`);
    if (!(security.capabilities?.drop ?? []).includes("ALL"))
      problem(object, `${where}: capabilities not dropped`);
    for (const kind of ["requests", "limits"])
      for (const resource of ["cpu", "memory"])
        if (!c.resources?.[kind]?.[resource]) problem(object, `${where}: no ${kind}.${resource}`);
    if (longRunning && !pod.initContainers?.includes(c)) {
      if (!c.readinessProbe) problem(object, `${where}: no readinessProbe`);
      if (!c.livenessProbe) problem(object, `${where}: no livenessProbe`);
    }
  }
}

for (const d of byKind("Deployment")) {
  const pod = d.spec?.template?.spec ?? {};
  const labels = d.spec?.template?.metadata?.labels ?? {};
  checkPod(d, pod, true);
  const preStop = Math.max(0, ...(pod.containers ?? []).map((c) =>
    Number(c.lifecycle?.preStop?.exec?.command?.[0] === "sleep"
      ? c.lifecycle.preStop.exec.command[1] : 0)));
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (grace < drainSeconds + preStop)
    problem(d, `terminationGracePeriodSeconds ${grace} < preStop ${preStop} + drain ${drainSeconds}`);
  if (!byKind("PodDisruptionBudget").some((p) => matches(p.spec?.selector, labels)))
    problem(d, "no PodDisruptionBudget selects its pods");
  const component = labels["app.kubernetes.io/component"];
  if (["smtp", "pop3", "imap"].includes(component)) {
    if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec?.scaleTargetRef?.name === d.metadata.name))
      problem(d, "front end without a HorizontalPodAutoscaler");
    if (!byKind("Service").some((s) => s.spec?.type === "LoadBalancer" && matches({ matchLabels: s.spec.selector }, labels)))
      problem(d, "front end without a LoadBalancer Service");
  }
  if (component === "store") {
    if (!byKind("Service").some((s) => s.spec?.clusterIP === "None" && matches({ matchLabels: s.spec.selector }, labels)))
      problem(d, "store without a headless Service (gRPC dns:/// round-robin needs one)");
    if (!byKind("NetworkPolicy").some((n) => matches(n.spec?.podSelector, labels) && n.spec?.policyTypes?.includes("Ingress")))
      problem(d, "no NetworkPolicy limits who reaches the store");
  }
}
for (const j of byKind("Job")) checkPod(j, j.spec?.template?.spec ?? {}, false);

if (production) {
  for (const s of byKind("Secret")) {
    const values = [...Object.values(s.stringData ?? {}), ...Object.values(s.data ?? {})];
    if (values.some((v) => String(v).includes("change-me")))
      problem(s, "placeholder secret in a production render");
  }
}

if (problems.length > 0) {
  for (const p of problems) console.log(`FAIL ${p}`);
  process.exit(1);
}
console.log(`ok: ${objects.length} objects valid (${[...new Set(objects.map((o) => o.kind))].join(", ")})`);
